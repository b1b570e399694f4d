package io.keyedstate.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.zip.CRC32C;

import io.keyedstate.storage.CheckpointStorage;

/** Uploads a snapshot's files to a checkpoint folder in parallel, with their sizes and checksums. */
final class CheckpointUploader {

    private final CheckpointStorage storage;
    private final ExecutorService uploads;

    CheckpointUploader(CheckpointStorage storage, ExecutorService uploads) {
        this.storage = storage;
        this.uploads = uploads;
    }

    List<CheckpointManifest.FileEntry> upload(String folder, List<Path> files) throws IOException {
        List<CompletableFuture<CheckpointManifest.FileEntry>> pending = new ArrayList<>();
        for (Path file : files) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    String name = file.getFileName().toString();
                    CheckpointManifest.FileEntry entry = new CheckpointManifest.FileEntry(name, Files.size(file), crc32c(file));
                    storage.write(folder + "/" + name, file);
                    return entry;
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
