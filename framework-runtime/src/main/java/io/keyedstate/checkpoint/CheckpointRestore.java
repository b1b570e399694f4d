package io.keyedstate.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.storage.CheckpointStorage;

/**
 * Restores a shard from the newest checkpoint (or configured savepoint) that is complete and
 * intact. Only proven damage moves on to the checkpoint before: a manifest that does not decode,
 * a file that is missing or whose size or checksum is not the manifest's, state the backend
 * cannot read. Any other storage error (I/O, a timeout, a server error, throttling) is taken as
 * transient: the same checkpoint is tried again, with backoff, until the restore deadline passes.
 * A checkpoint folder without a manifest was never complete, so never committed, and is passed over.
 * Before its files are read, a checkpoint's states are compared with the application's (see
 * {@link SchemaCheck}); one the application cannot read makes the shard unrecoverable at once: the
 * checkpoints before it hold the same states.
 * <p>
 * Slightly over 300 lines because telling proven damage from a transient error is the one job
 * here, and each kind of damage is one short branch of it.
 */
final class CheckpointRestore {

    private static final Logger LOG = Logger.getLogger(CheckpointRestore.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** What a restore found. */
    sealed interface Outcome {
    }

    /**
     * The shard holds the state of {@code manifest}.
     *
     * @param previousLayout whether it was found in the shard's folder of the previous storage layout
     */
    record Restored(CheckpointManifest manifest, boolean fromSavepoint, boolean previousLayout) implements Outcome {
    }

    /** The shard never completed a checkpoint: its state starts empty, nothing is lost. */
    record NeverCheckpointed() implements Outcome {
    }

    /**
     * The shard has checkpoints, but none of them could be restored.
     *
     * @param attempts each checkpoint tried, with why it failed
     * @param storageUnavailable whether storage kept failing until the deadline (not proven damage)
     */
    record Unrecoverable(List<String> attempts, boolean storageUnavailable) implements Outcome {
    }

    /**
     * Where a shard's checkpoints are, as storage folders.
     *
     * @param folder the folder of its checkpoints
     * @param previousFolder its folder in the previous storage layout (see {@link StorageLayout}),
     *        taken over while {@code folder} holds no complete checkpoint; null if none
     * @param previousConflict why a checkpoint in {@code previousFolder} cannot be taken over, or null
     * @param savepoint the savepoint to start from if no checkpoint descends from it
     * @param savepointFolder the savepoint's copy of the shard, or null
     * @param previousSavepointFolder that copy in the previous layout, or null
     */
    record Source(String folder, String previousFolder, String previousConflict, Optional<String> savepoint,
            String savepointFolder, String previousSavepointFolder) {
    }

    /** Lists the checkpoint ids in a shard folder, newest first. */
    @FunctionalInterface
    interface CheckpointLister {
        List<CheckpointId> newestFirst(String folder) throws IOException;
    }

    /** Proven damage of one checkpoint: the restore moves on to the one before. */
    private static final class Damaged extends Exception {
        Damaged(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A folder without a manifest: never complete. */
    private static final class Incomplete extends Exception {
        Incomplete() {
            super(null, null, false, false);
        }
    }

    private final CheckpointStorage storage;
    private final StateBackend backend;
    private final SchemaCheck schemas;
    private final Duration deadline;

    CheckpointRestore(CheckpointStorage storage, StateBackend backend, SchemaCheck schemas, Duration deadline) {
        this.storage = storage;
        this.backend = backend;
        this.schemas = schemas;
        this.deadline = deadline;
    }

    /** The {@link System#nanoTime()} until which a restore started now retries storage errors. */
    long deadlineFromNow() {
        return System.nanoTime() + deadline.toNanos();
    }

    /**
     * Restores shard {@code shardId} from the newest intact checkpoint of {@code source}, or from
     * its savepoint if set and no checkpoint descends from it, retrying storage errors until
     * {@code until}. An interrupt abandons it.
     */
    Outcome restore(int shardId, Source source, CheckpointLister lister, long until) throws InterruptedException {
        Attempts attempts = new Attempts();
        Outcome outcome = fromCheckpoints(shardId, source.folder(), false, source, lister, attempts, until);
        if (outcome == null && !attempts.foundComplete && source.previousFolder() != null) {
            outcome = fromCheckpoints(shardId, source.previousFolder(), true, source, lister, attempts, until);
        }
        if (outcome == null && source.savepoint().isPresent()) {
            outcome = fromSavepoint(shardId, source, attempts, until);
        }
        if (outcome != null) {
            return outcome;
        }
        backend.drop(shardId);
        return attempts.tried.isEmpty() ? new NeverCheckpointed() : new Unrecoverable(attempts.tried, false);
    }

    /** What a restore tried, and whether any checkpoint it found was complete. */
    private static final class Attempts {
        final List<String> tried = new ArrayList<>();
        boolean foundComplete;
    }

    /**
     * The outcome of restoring the newest intact checkpoint in {@code folder}, or null if none is
     * complete or descends from the savepoint to start from.
     */
    private Outcome fromCheckpoints(int shardId, String folder, boolean previousLayout, Source source,
            CheckpointLister lister, Attempts attempts, long until) throws InterruptedException {
        List<CheckpointId> newestFirst;
        try {
            newestFirst = retrying(until, "list " + folder, () -> lister.newestFirst(folder));
        } catch (IOException | Damaged | Incomplete | SchemaCheck.Refused e) {
            attempts.tried.add("listing " + storage.describe() + "/" + folder + " failed: " + e.getMessage());
            return new Unrecoverable(attempts.tried, true);
        }
        if (previousLayout && !newestFirst.isEmpty() && source.previousConflict() != null) {
            attempts.tried.add(storage.describe() + "/" + folder + " holds checkpoints of it, but " + source.previousConflict());
            return new Unrecoverable(attempts.tried, false);
        }
        for (CheckpointId id : newestFirst) {
            String checkpoint = folder + "/" + id.name();
            try {
                CheckpointManifest manifest = retrying(until, "read " + checkpoint, () -> readManifest(checkpoint));
                attempts.foundComplete = true;
                if (source.savepoint().isPresent() && !source.savepoint().get().equals(manifest.origin())) {
                    return null; // the savepoint to start from is newer than this lineage
                }
                retrying(until, "restore " + checkpoint, () -> restoreFrom(shardId, checkpoint, manifest));
                return new Restored(manifest, false, previousLayout);
            } catch (Incomplete e) {
                LOG.debugf("Checkpoint %s/%s was never completed (no manifest); passed over", storage.describe(), checkpoint);
            } catch (Damaged e) {
                LOG.warnf("Checkpoint %s/%s %s; trying the one before", storage.describe(), checkpoint, e.getMessage());
                attempts.tried.add(id.name() + " " + e.getMessage());
            } catch (SchemaCheck.Refused e) {
                attempts.tried.add(id.name() + " " + e.getMessage());
                backend.drop(shardId);
                return new Unrecoverable(attempts.tried, false);
            } catch (IOException e) {
                attempts.tried.add(id.name() + ": storage kept failing for " + deadline + ": " + e.getMessage());
                return new Unrecoverable(attempts.tried, true);
            }
        }
        return null;
    }

    /** The outcome of restoring the configured savepoint's copy of the shard, or null if it has none. */
    private Outcome fromSavepoint(int shardId, Source source, Attempts attempts, long until) throws InterruptedException {
        String name = "savepoint '" + source.savepoint().get() + "'";
        String folder = source.savepointFolder();
        boolean previousLayout = false;
        try {
            CheckpointManifest manifest;
            try {
                manifest = retrying(until, "read " + folder, () -> readManifest(source.savepointFolder()));
            } catch (Incomplete e) {
                if (source.previousSavepointFolder() == null) {
                    throw e;
                }
                folder = source.previousSavepointFolder();
                previousLayout = true;
                manifest = retrying(until, "read " + folder, () -> readManifest(source.previousSavepointFolder()));
                if (source.previousConflict() != null) {
                    attempts.tried.add(name + " holds it in " + storage.describe() + "/" + folder + ", but "
                            + source.previousConflict());
                    return new Unrecoverable(attempts.tried, false);
                }
            }
            String restoredFolder = folder;
            CheckpointManifest restored = manifest;
            retrying(until, "restore " + folder, () -> restoreFrom(shardId, restoredFolder, restored));
            LOG.infof("Restored %s from %s", source.folder(), name);
            return new Restored(manifest, true, previousLayout);
        } catch (Incomplete e) {
            attempts.tried.add(name + " (quarkus.keyed-state.checkpoint.restore-from) has no complete copy under "
                    + storage.describe() + "/" + source.savepointFolder());
        } catch (Damaged | SchemaCheck.Refused e) {
            attempts.tried.add(name + " " + e.getMessage());
        } catch (IOException e) {
            attempts.tried.add(name + ": storage kept failing for " + deadline + ": " + e.getMessage());
            return new Unrecoverable(attempts.tried, true);
        }
        return null;
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws IOException, Damaged, Incomplete, SchemaCheck.Refused;
    }

    /** Runs {@code attempt} until it succeeds, proves damage, or storage failed until {@code until}. */
    private <T> T retrying(long until, String what, Attempt<T> attempt)
            throws IOException, Damaged, Incomplete, SchemaCheck.Refused, InterruptedException {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return attempt.run();
            } catch (NoSuchFileException e) {
                throw new Damaged("lacks " + e.getFile() + ", which its manifest lists");
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()
                        || e instanceof java.io.InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
                    throw new InterruptedException("abandoned while it waited to " + what); // the shard was let go
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw e;
                }
                LOG.warnf("Could not %s in %s (%s); retrying in %d ms", what, storage.describe(), e.getMessage(), backoff);
                Thread.sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private CheckpointManifest readManifest(String folder) throws IOException, Damaged, Incomplete {
        byte[] json;
        try {
            json = storage.read(folder + "/" + CheckpointManifest.NAME);
        } catch (NoSuchFileException e) {
            throw new Incomplete();
        }
        try {
            return CheckpointManifest.fromJson(json);
        } catch (IOException | RuntimeException e) {
            throw new Damaged("has a manifest that does not decode (" + e.getMessage() + ")");
        }
    }

    private Void restoreFrom(int shardId, String folder, CheckpointManifest manifest)
            throws IOException, Damaged, SchemaCheck.Refused {
        if (!manifest.backend().equals(backend.name())) {
            throw new Damaged("was written by the " + manifest.backend() + " backend, but quarkus.keyed-state.backend is "
                    + backend.name() + "; switch the backend back to restore it");
        }
        RestorePlan plan = schemas.check(manifest);
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
                    throw new Damaged("is corrupt: " + file.name() + " has " + size
                            + " bytes or a checksum other than the manifest's (" + file.size() + " bytes)");
                }
            }
            try {
                backend.restore(shardId, staging, plan);
            } catch (IOException | RuntimeException e) {
                backend.drop(shardId);
                throw new Damaged("cannot be read by the " + backend.name() + " backend (" + Failures.rootMessage(e)
                        + ")");
            }
            return null;
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
