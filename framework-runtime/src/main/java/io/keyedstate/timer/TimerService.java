package io.keyedstate.timer;

import io.keyedstate.state.DueTimer;
import io.keyedstate.state.TimerQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.keyedstate.FiredTimer;
import io.keyedstate.TimeDomain;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.checkpoint.DaemonThreads;
import io.keyedstate.checkpoint.ShardGates;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateShard;

/**
 * Fires due timers. A partition's due timers fire in rounds: the shard's gates hold the partition's
 * records back until those in processing are done, the round takes the due timers from the shard's
 * queue and calls their {@code @OnTimer} methods, and records flow again once every call (and what
 * it sent) completed. A round is ordered with the shard's checkpoints, so a checkpoint holds a
 * fired timer's effects, or the timer itself, never half of it.
 * <p>
 * Rounds are asked for when a record moves a partition's watermark past its earliest event-time
 * timer, and by a periodic check, which finds processing-time timers that came due and timers
 * restored already due.
 */
public final class TimerService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TimerService.class);

    /**
     * See the {@code quarkus.keyed-state.timers.*} properties.
     *
     * @param roundTimeoutMillis how long a round may wait for its calls (and what they sent) to complete
     */
    public record Settings(long outOfOrdernessMillis, long checkIntervalMillis, int maxPerRound, long roundTimeoutMillis) {
    }

    private final StateBackend backend;
    private final ShardGates gates;
    private final IntFunction<TimerCallback> callbacks;
    private final LongSupplier clock;
    private final Settings settings;
    private final ScheduledExecutorService checker;
    private final ExecutorService callers;
    /** Shards with a round asked for and not started yet: asking again adds nothing. */
    private final Set<Integer> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong fired = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public TimerService(StateBackend backend, ShardGates gates, IntFunction<TimerCallback> callbacks,
            LongSupplier clock, Settings settings) {
        this.backend = backend;
        this.gates = gates;
        this.callbacks = callbacks;
        this.clock = clock;
        this.settings = settings;
        this.checker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("keyed-state-timer-check"));
        // A thread per running round, so a slow @OnTimer method holds back its own partition only;
        // a shard runs one round at a time, so there are at most as many as owned partitions.
        this.callers = Executors.newCachedThreadPool(DaemonThreads.named("keyed-state-timer"));
        gates.onTimestampAdvance(this::timestampAdvanced);
        checker.scheduleWithFixedDelay(this::check, settings.checkIntervalMillis(), settings.checkIntervalMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Timers fired since start, failed ones included. */
    public long firedCount() {
        return fired.get();
    }

    /** Timers whose {@code @OnTimer} method failed since start. */
    public long failedCount() {
        return failed.get();
    }

    /** Per record that moves an input's largest timestamp: a map lookup and a comparison. */
    private void timestampAdvanced(int shardId, long maxTimestamp) {
        TimerQueue queue = backend.shard(shardId).timers();
        // The shard's watermark follows the largest timestamp of any of its inputs, which only grows.
        queue.advanceWatermark(watermark(maxTimestamp));
        if (queue.earliest(TimeDomain.EVENT_TIME) <= queue.watermark()) {
            requestRound(shardId);
        }
    }

    private long watermark(long maxTimestamp) {
        return maxTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : maxTimestamp - settings.outOfOrdernessMillis();
    }

    private void check() {
        try {
            long now = clock.getAsLong();
            Set<Integer> owned = Set.copyOf(gates.ownedShards());
            // Existing shards only: asking the backend for a shard released meanwhile would create it again.
            for (StateShard shard : backend.shards()) {
                if (!owned.contains(shard.id())) {
                    continue; // kept locally after a revocation, in case it comes back: not ours to fire
                }
                if (shard.timers().hasDue(now)) {
                    requestRound(shard.id());
                }
            }
        } catch (Throwable e) { // an escaping throwable would cancel the periodic check for good
            LOG.warn("Looking for due timers failed; the next check retries", e);
        }
    }

    /**
     * Asks for a round, started from the check's thread: the asker may be admitting a record, or
     * finishing a round, where closing gates or taking a shard's locks does not belong.
     */
    private void requestRound(int shardId) {
        if (pending.add(shardId)) {
            try {
                checker.execute(() -> startRound(shardId));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.remove(shardId); // closed
            }
        }
    }

    private void startRound(int shardId) {
        AtomicBoolean started = new AtomicBoolean();
        gates.exclusively(shardId, () -> {
            started.set(true);
            return round(shardId);
        }, callers).whenComplete((ignored, failure) -> {
            if (!started.get()) {
                pending.remove(shardId); // not owned, or its records never drained: the next ask tries again
            }
        });
    }

    /** Runs with no record of the shard in processing. */
    private CompletionStage<?> round(int shardId) {
        pending.remove(shardId); // timers that come due from now on need a round of their own
        // Taken once: the shard the round started on is the one it fires on, even if it is released meanwhile.
        StateShard shard = backend.shard(shardId);
        TimerQueue queue = shard.timers();
        List<DueTimer> due = new ArrayList<>(queue.pollDue(TimeDomain.PROCESSING_TIME, clock.getAsLong(),
                settings.maxPerRound()));
        due.addAll(queue.pollDue(TimeDomain.EVENT_TIME, queue.watermark(), settings.maxPerRound() - due.size()));
        if (due.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> handled = new ArrayList<>(due.size());
        for (DueTimer timer : due) {
            handled.add(fire(shard, timer));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(handled.toArray(CompletableFuture[]::new))
                .orTimeout(settings.roundTimeoutMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        putBackUnfinished(queue, due, handled);
                    }
                });
        if (due.size() == settings.maxPerRound()) {
            all = all.whenComplete((ignored, failure) -> requestRound(shardId)); // the rest, after the waiting records
        }
        return all;
    }

    /**
     * Timers whose firing has not completed when the round times out (what they sent is not
     * acknowledged) go back in the queue, gates still closed: a checkpoint then holds them rather
     * than their unconfirmed effects, and they fire again.
     */
    private void putBackUnfinished(TimerQueue queue, List<DueTimer> due, List<CompletableFuture<?>> handled) {
        int putBack = 0;
        for (int i = 0; i < due.size(); i++) {
            if (!handled.get(i).isDone()) {
                queue.putBack(due.get(i));
                putBack++;
            }
        }
        LOG.warnf("%d timers of a round did not complete within %d ms (what they sent was not acknowledged); they will"
                + " fire again", putBack, settings.roundTimeoutMillis());
    }

    /** Never fails: a failed @OnTimer method is logged and counted, and the round goes on with the next timer. */
    private CompletableFuture<?> fire(StateShard shard, DueTimer timer) {
        fired.incrementAndGet();
        CompletableFuture<?> done;
        FiredTimer fired = null;
        try {
            FiredTimer firing = new FiredTimer(RecordKeys.denormalize(timer.key()), timer.time(), timer.domain());
            fired = firing;
            TimerCallback callback = callbacks.apply(timer.state());
            CompletionStage<?> stage = CurrentShardKey.callWithin(new ShardKey(shard, timer.key()), () -> {
                try {
                    return callback.fire(firing);
                } catch (Exception e) {
                    throw new TimerFailedException(e);
                }
            });
            done = stage == null ? CompletableFuture.completedFuture(null) : stage.toCompletableFuture();
        } catch (Throwable e) {
            done = CompletableFuture.failedFuture(e instanceof TimerFailedException ? e.getCause() : e);
        }
        Object described = fired != null ? fired : timer;
        return done.exceptionally(failure -> {
            failed.incrementAndGet();
            LOG.errorf(failure, "The @OnTimer method failed for the %s; the timer is not fired again", described);
            return null;
        });
    }

    private static final class TimerFailedException extends RuntimeException {
        TimerFailedException(Exception cause) {
            super(cause);
        }
    }

    /** Stops firing: no round starts after this, and one under way gets 5 s to finish. Idempotent. */
    @Override
    public void close() {
        checker.shutdownNow();
        callers.shutdown();
        try {
            callers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callers.shutdownNow();
    }
}
