package io.keyedstate.checkpoint;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.storage.CheckpointStorage;

/**
 * Restores the shards this instance takes on, in the background: from local state if it still
 * equals the newest checkpoint, else from storage (see {@link CheckpointRestore}), then checks the
 * restored offsets against the log. A shard none of whose checkpoints can be restored is handled
 * by the configured policy: by default it is not processed, and says so at ERROR. When a restore
 * ends, the shard is decided, and its partitions may be let in.
 * <p>
 * Slightly over 300 lines because the decisions between local state, storage, a savepoint and
 * the unrecoverable policy are made for one shard under its monitor, and read best in one place.
 */
final class ShardRestores implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShardRestores.class);

    private final StateBackend backend;
    private final CheckpointStorage storage;
    private final CheckpointSettings settings;
    private final CheckpointStore store;
    private final CheckpointRestore restore;
    private final List<CheckpointListener> listeners;
    /**
     * Restores of the shards of an assignment, side by side, at most {@code upload-threads} of one
     * assignment at a time; threads of their own, so that one channel's restores (waiting for a
     * frozen storage, say) never queue another channel's.
     */
    private final ExecutorService restores = Executors.newCachedThreadPool(DaemonThreads.named("keyed-state-restore"));

    ShardRestores(StateBackend backend, CheckpointStorage storage, CheckpointSettings settings, CheckpointStore store,
            CheckpointRestore restore, List<CheckpointListener> listeners) {
        this.backend = backend;
        this.storage = storage;
        this.settings = settings;
        this.store = store;
        this.restore = restore;
        this.listeners = listeners;
    }

    /** Until when a restore that starts now may wait for storage (and a topic-id lookup for the broker). */
    long deadlineFromNow() {
        return restore.deadlineFromNow();
    }

    /**
     * Restores {@code shard} for its current ownership on a restore thread, after any restore or
     * checkpoint of an earlier ownership ended, holding one of {@code slots} while it works; then
     * calls {@code decided}, which lets the shard's partitions in, unless the shard was let go.
     */
    void start(KeyedStateCommitHandler handler, OwnedShard shard, Semaphore slots,
            Supplier<Map<String, String>> topicIds, BiConsumer<OwnedShard, Long> decided) {
        synchronized (shard) {
            long ownership = shard.ownership;
            CompletableFuture<Void> previous = shard.restoreEnded;
            CompletableFuture<Void> ended = new CompletableFuture<>();
            shard.restoreEnded = ended;
            OwnedShard.RestoreRun run = new OwnedShard.RestoreRun();
            shard.restoreRun = run;
            restores.execute(() -> {
                try {
                    previous.join(); // a restore of an earlier ownership, abandoned, writes the backend until it ends
                    CompletableFuture<CheckpointPipeline.Completed> tail;
                    synchronized (shard) {
                        tail = shard.tail;
                    }
                    // A checkpoint of a previous ownership still finishing; waited for outside the slots,
                    // which are for restores at work: on a frozen store it may take its whole timeout.
                    tail.handle((ignored, failure) -> null).join();
                    run.started();
                    slots.acquire();
                    try {
                        // Its own deadline from when it starts: it may have waited for a slot.
                        restoreInBackground(handler, shard, ownership, restore.deadlineFromNow(), topicIds, decided);
                    } finally {
                        slots.release();
                    }
                } catch (InterruptedException e) {
                    // Abandoned (see abandonRestore), or the application stops.
                } catch (RuntimeException e) {
                    synchronized (shard) {
                        if (shard.ownership == ownership) {
                            failedRestore(shard, e);
                            decided.accept(shard, ownership);
                        }
                    }
                } finally {
                    run.finished();
                    ended.complete(null);
                }
            });
        }
    }

    /** On a restore thread: restores the shard, checks the restored checkpoint against the log, then lets its partitions in. */
    private void restoreInBackground(KeyedStateCommitHandler handler, OwnedShard shard, long ownership, long restoreUntil,
            Supplier<Map<String, String>> channelTopicIds, BiConsumer<OwnedShard, Long> decided) throws InterruptedException {
        Map<String, String> topicIds = channelTopicIds.get();
        CheckpointRestore.Restored restored = restoreState(shard, ownership, restoreUntil, topicIds);
        LogCheck.Verdict verdict = restored == null ? null
                : LogCheck.check(restored.manifest().offsets(), restored.manifest().topicIds(), topicIds,
                        partitions -> handler.topicIds.offsets(partitions, false, restoreUntil),
                        partitions -> handler.topicIds.offsets(partitions, true, restoreUntil));
        synchronized (shard) {
            if (shard.ownership != ownership) {
                return; // let go meanwhile: the revocation drops what this restore wrote
            }
            shard.topicIds = Map.copyOf(topicIds);
            if (restored != null) {
                accept(shard, restored, verdict);
            }
            decided.accept(shard, ownership);
        }
    }

    /**
     * Restores the state of a shard this instance takes over, on a restore thread, holding its
     * monitor only between storage calls: from its local state if that still equals its newest
     * checkpoint, else from storage. Returns the checkpoint restored from storage, to be checked
     * against the log; null if there is none to check (local state, no checkpoint, none
     * restorable, or the shard let go meanwhile).
     */
    private CheckpointRestore.Restored restoreState(OwnedShard shard, long ownership, long restoreUntil,
            Map<String, String> topicIds) throws InterruptedException {
        String localCheckpoint;
        synchronized (shard) {
            localCheckpoint = shard.localCheckpoint;
            shard.localCheckpoint = null;
            shard.fromBeginning = false;
        }
        AtomicLong maxN = new AtomicLong();
        List<CheckpointId> listed = null;
        Optional<CheckpointId> newest = Optional.empty();
        try {
            listed = store.checkpointIds(shard);
            listed.forEach(id -> maxN.accumulateAndGet(id.n(), Math::max));
            newest = store.newestComplete(shard, listed);
        } catch (IOException e) {
            listed = null; // the restore lists again, retrying storage errors
        }
        CheckpointManifest last = shard.last;
        if (localCheckpoint != null && newest.isPresent() && newest.get().name().equals(localCheckpoint)
                && last != null && last.id().equals(localCheckpoint)
                && LogCheck.recreated(last.topicIds(), topicIds).isEmpty()) {
            synchronized (shard) {
                shard.nextN = Math.max(shard.nextN, maxN.get() + 1);
                // Processing resumes where that checkpoint ends, not where the shard was first restored from.
                shard.restoredOffsets = last.offsets();
                shard.restoredTimestamps = last.timestamps();
            }
            LOG.debugf("Partition %s comes back; its local state still matches %s", shard.folderName, localCheckpoint);
            return null;
        }
        long started = System.nanoTime();
        Optional<String> savepoint = settings.restoreFrom();
        List<CheckpointId> alreadyListed = listed;
        String previous = shard.paths.previousPath();
        CheckpointRestore.Source source = new CheckpointRestore.Source(shard.folder,
                previous == null ? null : settings.applicationFolder() + "/" + previous, shard.paths.previousLayoutConflict(),
                savepoint, savepoint.map(name -> store.savepointFolder(name) + "/" + shard.paths.path()).orElse(null),
                previous == null ? null : savepoint.map(name -> store.savepointFolder(name) + "/" + previous).orElse(null));
        CheckpointRestore.Outcome outcome = restore.restore(shard.id, source, folder -> {
            if (alreadyListed != null && folder.equals(shard.folder)) {
                return alreadyListed;
            }
            List<CheckpointId> ids = store.checkpointIds(folder, shard.generation);
            ids.forEach(id -> maxN.accumulateAndGet(id.n(), Math::max));
            return ids;
        }, restoreUntil);
        synchronized (shard) {
            shard.nextN = Math.max(shard.nextN, maxN.get() + 1);
            if (shard.ownership != ownership) {
                return null;
            }
            startEmpty(shard);
            if (outcome instanceof CheckpointRestore.NeverCheckpointed) {
                LOG.infof("Partition %s has no checkpoint in %s/%s: its state starts empty", shard.folderName,
                        storage.describe(), shard.folder);
                return null;
            }
            if (outcome instanceof CheckpointRestore.Unrecoverable failed) {
                unrecoverable(shard, failed.attempts(), failed.storageUnavailable());
                return null;
            }
            shard.restoreStarted = started;
            return (CheckpointRestore.Restored) outcome;
        }
    }

    /**
     * Takes a restored checkpoint on if its offsets still fit the log: of the same topic, neither
     * past its end nor before its start. With the shard's monitor held.
     */
    private void accept(OwnedShard shard, CheckpointRestore.Restored restored, LogCheck.Verdict verdict) {
        Optional<String> savepoint = settings.restoreFrom();
        CheckpointManifest manifest = restored.manifest();
        if (verdict instanceof LogCheck.Recreated recreated) {
            backend.drop(shard.id);
            if (restored.fromSavepoint()) {
                // Asked for by name: starting empty instead would pass for the restore that was asked for.
                unrecoverable(shard, List.of("savepoint '" + savepoint.orElse(manifest.id()) + "' (" + manifest.id()
                        + ") was taken of another topic of the same name: " + recreated.describe()
                        + "; its offsets belong to the topic that is gone"), false);
                return;
            }
            LOG.warnf("Partition %s: %s, so the topic was deleted and created again since checkpoint %s. That checkpoint's"
                    + " offsets belong to the topic that is gone: the state starts empty, and processing starts at the"
                    + " group's committed offset (or auto.offset.reset), as for a new topic", shard.folderName,
                    recreated.describe(), manifest.id());
            return;
        }
        String unusable = verdict instanceof LogCheck.BeyondLogEnd beyond ? beyond.reason()
                : verdict instanceof LogCheck.BelowLogStart below ? below.reason() : null;
        if (unusable != null) {
            backend.drop(shard.id);
            unrecoverable(shard, List.of(manifest.id() + " " + unusable), false);
            return;
        }
        shard.restoredOffsets = manifest.offsets();
        shard.restoredTimestamps = manifest.timestamps();
        shard.origin = manifest.savepoint() ? savepoint.orElse(manifest.origin()) : manifest.origin();
        shard.last = manifest;
        if (restored.previousLayout()) {
            // Its shared files stay where they are: the first checkpoint in the new folder stores everything.
            shard.fullNext = true;
            LOG.infof("Partition %s of channel '%s' takes over %s from the previous storage layout (%s/%s); its"
                    + " checkpoints now go to %s/%s. Once one is stored there, the old folder is no longer read and"
                    + " may be deleted", shard.folderName, shard.channel, manifest.id(), storage.describe(),
                    settings.applicationFolder() + "/" + shard.paths.previousPath(), storage.describe(), shard.folder);
        }
        long nanos = System.nanoTime() - shard.restoreStarted;
        LOG.infof("Restored partition %s from %s (%,d bytes, offsets %s) in %d ms", shard.folderName, manifest.id(),
                manifest.totalBytes(), manifest.offsets(), TimeUnit.NANOSECONDS.toMillis(nanos));
        listeners.forEach(listener -> listener.restored(shard.channel, shard.partition, manifest, nanos));
    }

    private static void startEmpty(OwnedShard shard) {
        shard.restoredOffsets = Map.of();
        shard.restoredTimestamps = Map.of();
        shard.origin = null;
        shard.last = null;
    }

    /**
     * A shard with checkpoints of which none can be restored: never processed with state it is not
     * sure of. Unless configuration says otherwise, it is kept from processing; on storage that
     * kept failing, always.
     */
    private void unrecoverable(OwnedShard shard, List<String> attempts, boolean storageUnavailable) {
        String tried = attempts.stream().map(attempt -> "\n  - " + attempt).collect(java.util.stream.Collectors.joining());
        UnrecoverableShardPolicy policy = storageUnavailable ? UnrecoverableShardPolicy.FAIL : settings.unrecoverableShard();
        backend.drop(shard.id);
        switch (policy) {
            case REPROCESS -> {
                shard.fromBeginning = true;
                LOG.warnf("Partition %s has checkpoints in %s/%s, but none can be restored:%s%nAs configured"
                        + " (quarkus.keyed-state.checkpoint.unrecoverable-shard=reprocess), its state starts empty and the"
                        + " partition is read again from its beginning: the state is exact only if the topic still holds"
                        + " every record", shard.folderName, storage.describe(), shard.folder, tried);
            }
            case START_EMPTY -> LOG.warnf("Partition %s has checkpoints in %s/%s, but none can be restored:%s%nAs configured"
                    + " (quarkus.keyed-state.checkpoint.unrecoverable-shard=start-empty), its state starts empty and"
                    + " processing continues from the group's committed offset: what the state held is lost",
                    shard.folderName, storage.describe(), shard.folder, tried);
            case FAIL -> {
                shard.unrecoverable = storageUnavailable
                        ? "checkpoint storage kept failing for " + settings.restoreTimeout() + " while restoring it"
                        : "none of its checkpoints can be restored";
                LOG.errorf("Partition %s has checkpoints in %s/%s, but %s:%s%nIts records are not processed, and nothing"
                        + " of it is committed or deleted; readiness is DOWN. Ways out: %s", shard.folderName,
                        storage.describe(), shard.folder, storageUnavailable
                                ? "storage kept failing for " + settings.restoreTimeout() + " (quarkus.keyed-state"
                                        + ".checkpoint.restore-timeout)"
                                : "none of them can be restored",
                        tried, storageUnavailable
                                ? "once storage answers again, restart the instance or let the partition move (a"
                                        + " rebalance restores it again)"
                                : "restore a savepoint (quarkus.keyed-state.checkpoint.restore-from=<name>); or set"
                                        + " quarkus.keyed-state.checkpoint.unrecoverable-shard=reprocess to rebuild the"
                                        + " state from the beginning of the partition, or =start-empty to drop it and"
                                        + " continue from the committed offset; then restart");
            }
        }
    }

    /** A restore that failed for a reason other than storage or the checkpoints: the shard is not processed. */
    private void failedRestore(OwnedShard shard, RuntimeException failure) {
        backend.drop(shard.id);
        startEmpty(shard);
        shard.unrecoverable = "restoring it failed: " + Failures.rootMessage(failure);
        LOG.errorf(failure, "Restoring partition %s of channel '%s' failed. Its records are not processed, and nothing of it is"
                + " committed or deleted; readiness is DOWN. Restart the instance, or let the partition move (a rebalance"
                + " restores it again), once the cause is fixed", shard.folderName, shard.channel);
    }

    @Override
    public void close() {
        restores.shutdownNow();
    }
}
