package io.keyedstate.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.storage.CheckpointStorage;

/**
 * Restores a shard from the newest checkpoint (or configured savepoint) that is complete and
 * intact: a checkpoint without a manifest, or whose files do not match the manifest's sizes and
 * checksums, is skipped with a warning, and the one before it is tried.
 */
final class CheckpointRestore {

    private static final Logger LOG = Logger.getLogger(CheckpointRestore.class);

    private final CheckpointStorage storage;
    private final StateBackend backend;

    CheckpointRestore(CheckpointStorage storage, StateBackend backend) {
        this.storage = storage;
        this.backend = backend;
    }

    /**
     * Restores shard {@code shardId} from the newest intact checkpoint in {@code shardFolder},
     * or from savepoint {@code savepoint} if set and no checkpoint descends from it.
     *
     * @return the manifest restored from, empty if there is nothing to restore (the shard is then empty)
     */
    Optional<CheckpointManifest> restore(int shardId, String shardFolder, List<CheckpointId> newestFirst,
            Optional<String> savepoint, String savepointFolder) throws IOException {
        for (CheckpointId id : newestFirst) {
            String folder = shardFolder + "/" + id.name();
            CheckpointManifest manifest = readManifest(folder);
            if (manifest == null) {
                continue;
            }
            if (savepoint.isPresent() && !savepoint.get().equals(manifest.origin())) {
                break; // the savepoint to start from is newer than this lineage
            }
            if (restoreFrom(shardId, folder, manifest)) {
                return Optional.of(manifest);
            }
        }
        if (savepoint.isPresent()) {
            CheckpointManifest manifest = readManifest(savepointFolder);
            if (manifest == null || !restoreFrom(shardId, savepointFolder, manifest)) {
                throw new IllegalStateException("Savepoint '" + savepoint.get() + "' (quarkus.keyed-state.checkpoint"
                        + ".restore-from) has no intact copy of " + shardFolder.substring(shardFolder.lastIndexOf('/') + 1) + " under "
                        + storage.describe() + "/" + savepointFolder);
            }
            LOG.infof("Restored %s from savepoint '%s'", shardFolder, savepoint.get());
            return Optional.of(manifest);
        }
        backend.drop(shardId);
        return Optional.empty();
    }

    private CheckpointManifest readManifest(String folder) {
        try {
            return CheckpointManifest.fromJson(storage.read(folder + "/" + CheckpointManifest.NAME));
        } catch (NoSuchFileException e) {
            LOG.warnf("Checkpoint %s/%s is incomplete (no manifest); skipped", storage.describe(), folder);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Checkpoint %s/%s has an unreadable manifest (%s); skipped", storage.describe(), folder,
                    e.getMessage());
        }
        return null;
    }

    private boolean restoreFrom(int shardId, String folder, CheckpointManifest manifest) throws IOException {
        if (!manifest.backend().equals(backend.name())) {
            throw new IllegalStateException("Checkpoint " + storage.describe() + "/" + folder + " was written by the "
                    + manifest.backend() + " backend, but quarkus.keyed-state.backend is " + backend.name()
                    + ". Switch back, or start from a savepoint");
        }
        Path staging = Files.createTempDirectory(backend.stagingDir(), "restore-" + shardId + "-");
        try {
            String partitionFolder = folder.substring(0, folder.lastIndexOf('/'));
            for (CheckpointManifest.FileEntry file : manifest.files()) {
                Path local = staging.resolve(file.name()).normalize();
                if (!staging.normalize().equals(local.getParent())) { // fromJson checks names; never write outside anyway
                    throw new IOException("Checkpoint " + folder + " lists " + file.name() + ", which is not a plain file name");
                }
                if (file.isInline()) {
                    Files.write(local, file.inline());
                } else {
                    storage.read(file.isShared() ? partitionFolder + "/" + file.location() : folder + "/" + file.name(),
                            local);
                }
                long size = Files.size(local);
                if (size != file.size() || CheckpointUploader.crc32c(local) != file.crc32c()) {
                    LOG.warnf("Checkpoint %s/%s is corrupt: %s has %d bytes or a checksum other than the manifest's"
                            + " (%d bytes); skipped, trying the previous one", storage.describe(), folder, file.name(),
                            size, file.size());
                    return false;
                }
            }
            try {
                backend.restore(shardId, staging);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Checkpoint %s/%s cannot be restored (%s); skipped, trying the previous one", storage.describe(),
                        folder, e.getMessage());
                return false;
            }
            return true;
        } catch (NoSuchFileException e) {
            LOG.warnf("Checkpoint %s/%s lacks %s, which its manifest lists; skipped, trying the previous one",
                    storage.describe(), folder, e.getFile());
            return false;
        } finally {
            deleteQuietly(staging);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            LocalFiles.deleteRecursively(dir); // nothing left if the backend moved the files into place
        } catch (IOException e) {
            LOG.debugf("Could not delete restore staging %s: %s", dir, e.getMessage());
        }
    }
}
