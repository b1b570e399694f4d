package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.keyedstate.checkpoint.CheckpointPipeline.Completed;
import io.keyedstate.checkpoint.CheckpointPipeline.Purpose;
import io.keyedstate.storage.CheckpointStorage;

/**
 * When checkpoints run: of every active shard each interval (no sooner than the minimum pause
 * after the last ones), on demand, and as savepoints; one at a time per shard. A completed
 * checkpoint's offsets are committed, and only then is retention run. Counts the intervals whose
 * checkpoints failed in a row, which health holds against the tolerated number.
 */
final class CheckpointScheduler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointScheduler.class);

    private final OwnedShards shards;
    private final CheckpointPipeline pipeline;
    private final CheckpointStore store;
    private final CheckpointStorage storage;
    private final CheckpointSettings settings;
    private final ScheduledExecutorService intervals = Executors
            .newSingleThreadScheduledExecutor(DaemonThreads.named("keyed-state-checkpoint-interval"));
    /** Retention: may wait on a slow or hanging storage, apart from the gates. */
    private final Executor storageWork;
    private final AtomicInteger failureStreak = new AtomicInteger();
    private volatile boolean closed;
    private final LongSupplier nanoClock;
    /** When the latest interval's checkpoints began, or the schedule did, by {@link #nanoClock}. */
    private volatile long intervalBegan;
    private volatile boolean started;

    CheckpointScheduler(OwnedShards shards, CheckpointPipeline pipeline, CheckpointStore store, CheckpointStorage storage,
            CheckpointSettings settings, Executor storageWork) {
        this(shards, pipeline, store, storage, settings, storageWork, System::nanoTime);
    }

    CheckpointScheduler(OwnedShards shards, CheckpointPipeline pipeline, CheckpointStore store, CheckpointStorage storage,
            CheckpointSettings settings, Executor storageWork, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.shards = shards;
        this.pipeline = pipeline;
        this.store = store;
        this.storage = storage;
        this.settings = settings;
        this.storageWork = storageWork;
    }

    /** Schedules the first checkpoints, one interval from now. */
    void start() {
        intervalBegan = nanoClock.getAsLong();
        started = true;
        intervals.schedule(this::checkpointAll, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Intervals whose checkpoints failed in a row, reset by the next one whose checkpoints all complete. */
    int failureStreak() {
        return failureStreak.get();
    }

    /**
     * How long no interval of checkpoints has begun, once that is longer than a working schedule
     * ever takes (each interval's checkpoints end within the checkpoint timeout, and the next
     * interval begins at most one interval later): the schedule is stuck, which a restart mends.
     * Empty while checkpoints run on schedule, failing or not.
     */
    Optional<Duration> stalled() {
        if (!started || closed) {
            return Optional.empty();
        }
        Duration since = Duration.ofNanos(nanoClock.getAsLong() - intervalBegan);
        Duration allowed = settings.timeout().plus(settings.interval()).plus(settings.minPause()).multipliedBy(2);
        return since.compareTo(allowed) > 0 ? Optional.of(since) : Optional.empty();
    }

    /** The checkpoints of one interval, after which the next is scheduled. */
    private void checkpointAll() {
        if (closed) {
            return;
        }
        long started = System.nanoTime();
        intervalBegan = nanoClock.getAsLong();
        // Retention goes on in the background: a store that hangs must not keep the next interval's checkpoints from starting.
        runOnAllShards(Purpose.CHECKPOINT, false).whenComplete((ignored, failure) -> {
            if (failure == null) {
                failureStreak.set(0);
            } else {
                int streak = failureStreak.incrementAndGet();
                LOG.warnf("Checkpoint failed (%d in a row, %d tolerated): %s", streak, settings.tolerableFailures(),
                        Failures.rootMessage(failure));
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long delay = Math.max(settings.minPause().toMillis(), settings.interval().toMillis() - elapsed);
            if (!closed) {
                intervals.schedule(this::checkpointAll, delay, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Checkpoints every owned shard now, outside the schedule; completes when all manifests are
     * durable, their offsets committed and what they made obsolete deleted.
     */
    CompletableFuture<List<CheckpointManifest>> checkpointNow() {
        return runOnAllShards(Purpose.CHECKPOINT, true);
    }

    /**
     * A savepoint of every shard this instance owns: full, self-contained, never deleted by retention.
     *
     * @throws IllegalArgumentException if {@code name} is not a savepoint name (see {@link StorageNames})
     * @throws io.keyedstate.SavepointExistsException if storage holds savepoint {@code name} of a shard this instance owns
     */
    CompletableFuture<List<CheckpointManifest>> savepoint(String name) {
        StorageNames.requireSavepointName(name);
        List<String> restoring = shards.all().stream().filter(shard -> shard.restoring && !shard.owners.isEmpty())
                .map(OwnedShard::label).toList();
        if (!restoring.isEmpty()) {
            // It would lack those partitions: a savepoint holds every partition this instance owns, or none.
            return CompletableFuture.failedFuture(new IllegalStateException("Savepoint '" + name + "' not taken: "
                    + String.join(", ", restoring) + " still being restored; take it once readiness is UP"));
        }
        try {
            Savepoints.refuseExisting(storage, name, store.savepointFolder(name), shards.all().stream()
                    .filter(shard -> !shard.owners.isEmpty()).flatMap(shard -> shard.savepointPaths().stream()).toList());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return runOnAllShards(new Purpose(true, name), false);
    }

    private CompletableFuture<List<CheckpointManifest>> runOnAllShards(Purpose purpose, boolean awaitRetention) {
        List<CompletableFuture<Completed>> runs = new ArrayList<>();
        for (OwnedShard shard : shards.all()) {
            if (shard.active()) {
                runs.add(checkpoint(shard, purpose).thenCompose(completed -> purpose.savepoint() || completed.manifest() == null
                        ? CompletableFuture.completedFuture(completed)
                        : commitThenRetain(shard, completed, awaitRetention)));
            }
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(ignored -> runs.stream()
                .map(CompletableFuture::join).map(Completed::manifest).filter(java.util.Objects::nonNull).toList());
    }

    /**
     * Commits a completed checkpoint's offsets, then deletes what it made obsolete. The consumer
     * group accepts the commit only from the partition's current owner, so a stale owner (dropped
     * from the group, or a fenced instance of a static member) never gets to retention, where it
     * could delete files its successor uses.
     */
    private CompletableFuture<Completed> commitThenRetain(OwnedShard shard, Completed completed, boolean awaitRetention) {
        CompletableFuture<?>[] commits = completed.offsets().entrySet().stream()
                .map(entry -> entry.getKey().commit(entry.getValue())).toArray(CompletableFuture[]::new);
        CompletableFuture<Void> committed = CompletableFuture.allOf(commits);
        // On the storage threads, never the gates'.
        CompletableFuture<Completed> retained = committed.handleAsync((ignored, failure) -> {
            if (failure == null) {
                store.retain(shard, completed.ownership(), completed.manifest().n());
            }
            return completed;
        }, storageWork);
        return awaitRetention ? retained : committed.handle((ignored, failure) -> completed);
    }

    /** Checkpoints {@code shard} once the run before it ended: a shard's checkpoints run one at a time. */
    CompletableFuture<Completed> checkpoint(OwnedShard shard, Purpose purpose) {
        synchronized (shard) {
            CompletableFuture<Completed> next = shard.tail.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> pipeline.run(shard, purpose));
            shard.tail = next;
            return next;
        }
    }

    @Override
    public void close() {
        closed = true;
        intervals.shutdownNow();
    }
}
