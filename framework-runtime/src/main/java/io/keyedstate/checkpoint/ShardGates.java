package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * Exclusive access to a shard: a gated phase closes the gates of the shard's input partitions and
 * waits until the records admitted before are acknowledged. Checkpoint barriers and timer rounds
 * are gated phases, run one after the other per shard. Also tells the timers when a shard's input
 * moves on in event time.
 */
public final class ShardGates {

    private static final Logger LOG = Logger.getLogger(ShardGates.class);

    private final OwnedShards shards;
    private final Duration timeout;
    /** Short coordination work: reopening gates runs the held records' handlers. */
    private final Executor worker;
    private volatile TimestampListener timestampListener;

    ShardGates(OwnedShards shards, Duration timeout, Executor worker) {
        this.shards = shards;
        this.timeout = timeout;
        this.worker = worker;
    }

    /**
     * Runs {@code phase}, which closes some of the shard's gates and reopens them when its future
     * completes, after every gated phase asked for before: checkpoints' barriers and timer rounds
     * never hold a shard's gates at the same time. Ordered apart from the checkpoints' uploads, so
     * that a timer round waits for a checkpoint's barrier, not for its upload. Under its own lock:
     * the shard's monitor may be held by a thread waiting for a checkpoint to finish.
     */
    <T> CompletableFuture<T> gated(OwnedShard shard, Supplier<CompletableFuture<T>> phase) {
        synchronized (shard.gateLock) {
            CompletableFuture<T> next = shard.gated.handle((ignored, failure) -> null).thenCompose(ignored -> phase.get());
            shard.gated = next.handle((ignored, failure) -> null);
            return next;
        }
    }

    /** What hears of records with a later timestamp than any before them on their input. */
    @FunctionalInterface
    public interface TimestampListener {
        /** {@code maxTimestamp}: the input's largest record timestamp now. */
        void advanced(int shardId, long maxTimestamp);
    }

    /** Called, on the thread that admitted it, when a record later than any before it enters processing. */
    public void onTimestampAdvance(TimestampListener listener) {
        timestampListener = listener;
    }

    void timestampAdvanced(InputPartition input) {
        TimestampListener listener = timestampListener;
        if (listener != null) {
            listener.advanced(input.shardId, input.maxTimestamp());
        }
    }

    /** The shards this instance owns now. */
    public List<Integer> ownedShards() {
        return shards.all().stream().filter(OwnedShard::active).map(shard -> shard.id).toList();
    }

    /**
     * Runs {@code action} on {@code executor} while no record of the shard is in processing: its
     * input gates are closed, the records admitted before are acknowledged, and it is ordered with
     * the shard's checkpoints. The gates reopen when the stage {@code action} returns completes.
     * Does nothing, and completes, if this instance does not own the shard.
     */
    public CompletableFuture<Void> exclusively(int shardId, Supplier<CompletionStage<?>> action, Executor executor) {
        OwnedShard shard = shards.get(shardId);
        if (shard == null || shard.unrecoverable != null || shard.restoring) {
            return CompletableFuture.completedFuture(null);
        }
        return gated(shard, () -> exclusive(shard, action, executor));
    }

    private CompletableFuture<Void> exclusive(OwnedShard shard, Supplier<CompletionStage<?>> action, Executor executor) {
        Map<InputPartition, KeyedStateCommitHandler> inputs = shards.inputsOf(shard);
        if (inputs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Long>> drained = inputs.keySet().stream().map(InputPartition::close).toList();
        return CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenComposeAsync(ignored -> action.get(), executor)
                // Not on the thread that completed the action (a timeout's is the JDK's shared one):
                // releasing runs the held records' handlers.
                .handleAsync((ignored, failure) -> {
                    inputs.forEach((input, handler) -> handler.release(input));
                    if (failure != null) {
                        LOG.warnf("Exclusive work on partition %s failed: %s", shard.folderName, Failures.rootMessage(failure));
                    }
                    return null;
                }, worker);
    }
}
