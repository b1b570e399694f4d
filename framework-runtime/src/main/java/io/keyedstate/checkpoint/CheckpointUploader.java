package io.keyedstate.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

import io.keyedstate.storage.CheckpointStorage;

/**
 * Uploads a snapshot's files to a checkpoint folder in parallel, with their sizes and checksums;
 * files up to {@code inlineThreshold} bytes go into the manifest instead.
 */
final class CheckpointUploader {

    private final CheckpointStorage storage;
    private final ExecutorService uploads;
    private final long inlineThreshold;

    CheckpointUploader(CheckpointStorage storage, ExecutorService uploads, long inlineThreshold) {
        this.storage = storage;
        this.uploads = uploads;
        this.inlineThreshold = inlineThreshold;
    }

    /**
     * Stores the files of a snapshot. A shareable file (immutable, see {@code ShardSnapshot}) that
     * a confirmed earlier checkpoint already stored, same name and size, is referenced, not stored
     * again; a new one goes to {@code shared/}, under a name that carries the checkpoint's id, so
     * that two owners of a partition (one of them stale) never write the same object.
     *
     * @param partitionFolder the partition's folder, which holds {@code shared/}
     * @param checkpointFolder the checkpoint's own folder, for the other files
     * @param previous the reusable files of the last confirmed checkpoint, by name; empty for a full checkpoint
     * @param shareable which files may be shared; none for a self-contained (savepoint) checkpoint
     */
    List<CheckpointManifest.FileEntry> upload(String partitionFolder, String checkpointFolder, String checkpointId,
            List<Path> files, Map<String, CheckpointManifest.FileEntry> previous, Predicate<String> shareable)
            throws IOException {
        List<CompletableFuture<CheckpointManifest.FileEntry>> pending = new ArrayList<>();
        for (Path file : files) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    String name = file.getFileName().toString();
                    long size = Files.size(file);
                    boolean share = shareable.test(name);
                    CheckpointManifest.FileEntry stored = share ? previous.get(name) : null;
                    if (stored != null && stored.size() == size) {
                        return stored;
                    }
                    if (size <= inlineThreshold) {
                        return CheckpointManifest.FileEntry.inline(name, Files.readAllBytes(file));
                    }
                    String location = share ? "shared/" + checkpointId + "-" + name : null;
                    storage.write(share ? partitionFolder + "/" + location : checkpointFolder + "/" + name, file);
                    return new CheckpointManifest.FileEntry(name, size, crc32c(file), location);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, uploads));
        }
        List<CheckpointManifest.FileEntry> entries = new ArrayList<>();
        try {
            for (CompletableFuture<CheckpointManifest.FileEntry> upload : pending) {
                entries.add(upload.join());
            }
        } catch (CompletionException e) {
            pending.forEach(upload -> upload.cancel(false));
            Throwable cause = e.getCause() instanceof UncheckedIOException io ? io.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        return entries;
    }

    static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read; (read = in.read(buffer)) > 0;) {
                crc.update(buffer, 0, read);
            }
        }
        return crc.getValue();
    }
}
