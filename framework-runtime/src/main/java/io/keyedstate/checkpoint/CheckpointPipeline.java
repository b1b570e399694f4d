package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.storage.CheckpointStorage;

/**
 * One checkpoint of one shard, from barrier to manifest: close the gate of each of the shard's
 * input partitions; once every record admitted before the gate is acknowledged, take the
 * backend's snapshot (the synchronous part) and reopen the gates; then, off the processing
 * threads, upload the files that changed and write the manifest last. Committing the barrier
 * offsets is the caller's, once the manifest is durable. It does not know which backend or
 * storage it drives.
 */
final class CheckpointPipeline {

    private static final Logger LOG = Logger.getLogger(CheckpointPipeline.class);

    /** What a checkpoint run is for. */
    record Purpose(boolean savepoint, String savepointName) {
        static final Purpose CHECKPOINT = new Purpose(false, null);
    }

    /**
     * A completed checkpoint of a shard and the offsets to commit, per channel.
     *
     * @param ownership the shard's ownership the checkpoint was taken in
     */
    record Completed(CheckpointManifest manifest, Map<KeyedStateCommitHandler, Map<TopicPartition, OffsetAndMetadata>> offsets,
            long ownership) {
    }

    private final StateBackend backend;
    private final CheckpointStorage storage;
    private final CheckpointSettings settings;
    private final SchemaCheck schemas;
    private final OwnedShards shards;
    private final ShardGates gates;
    private final CheckpointStore store;
    private final CheckpointUploader uploader;
    private final List<CheckpointListener> listeners;
    /** Short coordination work: barriers, snapshots, reopening gates. Never waits for storage. */
    private final Executor worker;
    /** Writing checkpoints: may wait on a slow or hanging storage, apart from the gates. */
    private final Executor storageWork;
    private final AtomicLong completedCount = new AtomicLong();
    private volatile CheckpointManifest lastCompleted;

    CheckpointPipeline(StateBackend backend, CheckpointStorage storage, CheckpointSettings settings, SchemaCheck schemas,
            OwnedShards shards, ShardGates gates, CheckpointStore store, CheckpointUploader uploader,
            List<CheckpointListener> listeners, Executor worker, Executor storageWork) {
        this.backend = backend;
        this.storage = storage;
        this.settings = settings;
        this.schemas = schemas;
        this.shards = shards;
        this.gates = gates;
        this.store = store;
        this.uploader = uploader;
        this.listeners = listeners;
        this.worker = worker;
        this.storageWork = storageWork;
    }

    long completedCount() {
        return completedCount.get();
    }

    /** The checkpoint of any shard that completed last, if any did since startup. */
    Optional<CheckpointManifest> lastCompleted() {
        return Optional.ofNullable(lastCompleted);
    }

    /**
     * Checkpoints {@code shard} now: a barrier on its inputs, the backend's snapshot with the gates
     * closed, then the files and the manifest written off the processing threads. Completes with no
     * manifest if there is nothing to checkpoint.
     */
    CompletableFuture<Completed> run(OwnedShard shard, Purpose purpose) {
        long ownership = shard.ownership;
        Map<InputPartition, KeyedStateCommitHandler> inputs = shards.inputsOf(shard);
        boolean changed = inputs.keySet().stream().anyMatch(input -> input.changedSince(input.checkpointedOffset()));
        if (inputs.isEmpty() || shard.unrecoverable != null || shard.restoring || (!purpose.savepoint() && !changed)) {
            return CompletableFuture.completedFuture(new Completed(null, Map.of(), ownership));
        }
        long started = System.nanoTime();
        Map<String, CheckpointManifest.FileEntry> reusable = reusableFiles(shard, purpose);
        Map<InputPartition, CompletableFuture<Long>> barriers = new LinkedHashMap<>();
        // Past the timeout the checkpoint fails and the next may start; a write still hanging then
        // finds itself abandoned before the manifest.
        AtomicBoolean abandoned = new AtomicBoolean();
        return gates.gated(shard, () -> {
            inputs.keySet().forEach(input -> barriers.put(input, input.close()));
            LOG.debugf("Barrier of %s: waiting for %s", shard.folderName, inputs.keySet());
            return CompletableFuture.allOf(barriers.values().toArray(CompletableFuture[]::new))
                    .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .handleAsync((ignored, failure) -> {
                        try {
                            if (failure != null) {
                                throw new IllegalStateException("records in flight on " + inputs.keySet()
                                        + " were not acknowledged within " + settings.timeout(), failure);
                            }
                            // Read at the barrier, with the gates closed: records admitted after it are not the checkpoint's.
                            Map<String, Long> timestamps = new TreeMap<>();
                            inputs.keySet().stream().filter(input -> input.maxTimestamp() != Long.MIN_VALUE).forEach(
                                    input -> timestamps.put(input.topicPartition.toString(), input.maxTimestamp()));
                            return new Synced(backend.snapshot(shard.id, reusable.keySet()), timestamps,
                                    System.nanoTime() - started);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } finally {
                            inputs.forEach((input, handler) -> handler.release(input));
                        }
                    }, worker);
        })
                .thenApplyAsync(synced -> {
                    Map<String, Long> offsets = new TreeMap<>();
                    Map<KeyedStateCommitHandler, Map<TopicPartition, OffsetAndMetadata>> commits = new HashMap<>();
                    int generation = -1;
                    for (Map.Entry<InputPartition, CompletableFuture<Long>> barrier : barriers.entrySet()) {
                        InputPartition input = barrier.getKey();
                        long offset = barrier.getValue().join();
                        generation = Math.max(generation, input.generation);
                        if (offset >= 0) {
                            offsets.put(input.topicPartition.toString(), offset);
                            commits.computeIfAbsent(inputs.get(input), h -> new HashMap<>())
                                    .put(input.topicPartition, new OffsetAndMetadata(offset));
                        }
                    }
                    long asyncStarted = System.nanoTime();
                    CheckpointManifest manifest = write(shard, () -> shard.ownership == ownership && !abandoned.get(), purpose,
                            generation, offsets, synced.timestamps(), synced.snapshot(), reusable);
                    long asyncNanos = System.nanoTime() - asyncStarted;
                    if (!purpose.savepoint()) {
                        barriers.forEach((input, barrier) -> input.checkpointed(barrier.join()));
                        shard.last = manifest;
                        shard.checkpointedAtMillis = System.currentTimeMillis();
                        completedCount.incrementAndGet();
                        lastCompleted = manifest;
                    }
                    LOG.debugf("Checkpoint %s of partition %s: %,d bytes in %d files, sync %d ms, async %d ms", manifest.id(),
                            shard.folderName, manifest.totalBytes(), manifest.files().size(),
                            TimeUnit.NANOSECONDS.toMillis(synced.nanos()), TimeUnit.NANOSECONDS.toMillis(asyncNanos));
                    listeners.forEach(listener -> listener.completed(shard.channel, shard.partition, manifest, synced.nanos(),
                            asyncNanos));
                    return new Completed(manifest, commits, ownership);
                }, storageWork)
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((completed, failure) -> {
                    if (failure == null) {
                        return completed;
                    }
                    abandoned.set(true);
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    Throwable reported = cause instanceof TimeoutException
                            ? new IllegalStateException("the checkpoint of " + shard.folderName + " did not complete within "
                                    + settings.timeout() + " (quarkus.keyed-state.checkpoint.timeout)")
                            : cause;
                    listeners.forEach(listener -> listener.failed(shard.channel, shard.partition, reported));
                    throw new CompletionException(reported);
                });
    }

    private record Synced(ShardSnapshot snapshot, Map<String, Long> timestamps, long nanos) {
    }

    /**
     * The files of the shard's last confirmed checkpoint that a new checkpoint may reference rather
     * than store, by name: none for a savepoint, which is self-contained.
     */
    private Map<String, CheckpointManifest.FileEntry> reusableFiles(OwnedShard shard, Purpose purpose) {
        CheckpointManifest last = shard.last;
        if (!settings.incremental() || purpose.savepoint() || last == null || shard.fullNext) {
            return Map.of();
        }
        Map<String, CheckpointManifest.FileEntry> reusable = new HashMap<>();
        last.files().stream().filter(CheckpointManifest.FileEntry::isReusable).forEach(file -> reusable.put(file.name(), file));
        return reusable;
    }

    /**
     * Writes the snapshot's files, then its manifest, if {@code stillWanted} then holds: the
     * partition was not let go and the checkpoint did not time out meanwhile.
     */
    private CheckpointManifest write(OwnedShard shard, java.util.function.BooleanSupplier stillWanted, Purpose purpose,
            int generation, Map<String, Long> offsets, Map<String, Long> timestamps, ShardSnapshot snapshot,
            Map<String, CheckpointManifest.FileEntry> previous) {
        if (!stillWanted.getAsBoolean()) {
            snapshot.close(); // queued behind a hanging write past its timeout: nothing to store any more
            throw new IllegalStateException("abandoned: it timed out, or the partition was let go, before it was stored");
        }
        CheckpointId id = store.newId(shard.nextN++, generation);
        String folder = purpose.savepoint() ? store.savepointFolder(purpose.savepointName()) + "/" + shard.paths.path()
                : shard.folder + "/" + id.name();
        // A savepoint is self-contained; a checkpoint shares immutable files with the last confirmed one.
        boolean incremental = settings.incremental() && !purpose.savepoint();
        try (snapshot) {
            if (purpose.savepoint()) { // again: another owner of the partition may have written it since
                Savepoints.refuseExisting(storage, purpose.savepointName(), store.savepointFolder(purpose.savepointName()),
                        shard.savepointPaths());
            }
            List<CheckpointManifest.FileEntry> files = new ArrayList<>(uploader.upload(shard.folder, folder, id.name(),
                    snapshot.files(), previous, incremental ? snapshot::isImmutable : name -> false));
            for (String name : snapshot.inherited()) {
                CheckpointManifest.FileEntry inherited = previous.get(name);
                if (inherited == null) {
                    throw new IllegalStateException("the snapshot builds on " + name + ", which the last checkpoint lacks");
                }
                files.add(inherited);
            }
            long uploaded = files.stream().filter(file -> previous.get(file.name()) != file)
                    .mapToLong(CheckpointManifest.FileEntry::size).sum();
            CheckpointManifest manifest = new CheckpointManifest(id.name(), id.n(), generation, purpose.savepoint(),
                    shard.origin, backend.name(), Instant.now(), offsets, timestamps,
                    schemas.manifestStates(snapshot::holdsNothing), files, uploaded, shard.topicIds);
            requireStillReferencable(shard, files, previous);
            if (!stillWanted.getAsBoolean()) {
                throw new IllegalStateException("abandoned: it timed out, or the partition was let go, while it ran");
            }
            storage.writeAtomically(folder + "/" + CheckpointManifest.NAME, manifest.toJson());
            if (!purpose.savepoint()) {
                snapshot.confirmed();
                if (previous.isEmpty()) {
                    shard.fullNext = false;
                }
            }
            return manifest;
        } catch (IOException | RuntimeException e) {
            try {
                if (!purpose.savepoint()) { // a failed savepoint deletes nothing: see Savepoints
                    storage.deleteAll(folder);
                }
            } catch (IOException | RuntimeException cleanup) {
                LOG.debugf("Could not remove the partial checkpoint %s: %s", folder, cleanup.getMessage());
            }
            throw e instanceof io.keyedstate.SavepointExistsException exists ? exists
                    : new IllegalStateException("Checkpoint " + folder + " failed: " + Failures.rootMessage(e), e);
        }
    }

    /**
     * A checkpoint that references shared files of the one before must know they still exist:
     * retention by another owner, or a person, may have removed them. If one is gone, the
     * checkpoint fails and the next one stores everything again.
     */
    private void requireStillReferencable(OwnedShard shard, List<CheckpointManifest.FileEntry> files,
            Map<String, CheckpointManifest.FileEntry> previous) throws IOException {
        List<String> reused = files.stream().filter(file -> file.isShared() && previous.get(file.name()) == file)
                .map(CheckpointManifest.FileEntry::location).toList();
        if (reused.isEmpty()) {
            return;
        }
        Set<String> present = new HashSet<>();
        storage.list(shard.folder + "/shared").forEach(name -> present.add("shared/" + name));
        for (String location : reused) {
            if (!present.contains(location)) {
                shard.fullNext = true;
                throw new IllegalStateException("it would reference " + location
                        + " of the checkpoint before, which is gone from storage; the next checkpoint stores every file");
            }
        }
    }
}
