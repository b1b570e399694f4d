package io.keyedstate.runtime.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.keyedstate.checkpoint.CheckpointListener;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Checkpoint and restore metrics, fed by the coordinator as checkpoints complete, fail and restore. */
final class CheckpointMetrics implements CheckpointListener {

    private final Timer syncDuration;
    private final Timer asyncDuration;
    private final DistributionSummary size;
    private final DistributionSummary files;
    private final DistributionSummary uploaded;
    private final Counter failures;
    private final Timer restoreDuration;
    private final Counter restoredBytes;
    private final AtomicLong lastCompletedId = new AtomicLong(-1);
    private final AtomicLong lastCompletedAt = new AtomicLong();

    CheckpointMetrics(MeterRegistry registry) {
        syncDuration = Timer.builder("keyed.state.checkpoint.duration").tag("phase", "sync")
                .description("Time a shard's processing paused for a checkpoint: barrier alignment and snapshot")
                .register(registry);
        asyncDuration = Timer.builder("keyed.state.checkpoint.duration").tag("phase", "async")
                .description("Time to write a shard's checkpoint files and manifest, while processing goes on")
                .register(registry);
        size = DistributionSummary.builder("keyed.state.checkpoint.size").baseUnit("bytes")
                .description("Bytes written per shard checkpoint").register(registry);
        uploaded = DistributionSummary.builder("keyed.state.checkpoint.uploaded").baseUnit("bytes")
                .description("Bytes a shard checkpoint wrote; the rest of its size it shares with earlier ones")
                .register(registry);
        files = DistributionSummary.builder("keyed.state.checkpoint.files")
                .description("Files written per shard checkpoint").register(registry);
        failures = Counter.builder("keyed.state.checkpoint.failures")
                .description("Shard checkpoints that failed (storage error, timeout)").register(registry);
        restoreDuration = Timer.builder("keyed.state.restore.duration")
                .description("Time to restore a shard from a checkpoint").register(registry);
        restoredBytes = Counter.builder("keyed.state.restore.bytes").baseUnit("bytes")
                .description("Bytes of checkpoints restored").register(registry);
        Gauge.builder("keyed.state.checkpoint.last.completed.id", lastCompletedId, AtomicLong::get)
                .description("Sequence number of the newest completed checkpoint of any shard; -1 before the first")
                .register(registry);
        Gauge.builder("keyed.state.checkpoint.last.completed.age", lastCompletedAt, CheckpointMetrics::ageSeconds)
                .description("Seconds since the newest checkpoint completed; -1 before the first")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public void completed(String shard, CheckpointManifest manifest, long syncNanos, long asyncNanos) {
        syncDuration.record(syncNanos, TimeUnit.NANOSECONDS);
        asyncDuration.record(asyncNanos, TimeUnit.NANOSECONDS);
        size.record(manifest.totalBytes());
        uploaded.record(manifest.uploadedBytes());
        files.record(manifest.files().size());
        if (!manifest.savepoint()) {
            lastCompletedId.accumulateAndGet(manifest.n(), Math::max);
            lastCompletedAt.set(System.currentTimeMillis());
        }
    }

    @Override
    public void failed(String shard, Throwable failure) {
        failures.increment();
    }

    @Override
    public void restored(String shard, CheckpointManifest manifest, long nanos) {
        restoreDuration.record(nanos, TimeUnit.NANOSECONDS);
        restoredBytes.increment(manifest.totalBytes());
    }

    private static double ageSeconds(AtomicLong completedAt) {
        long at = completedAt.get();
        return at == 0 ? -1 : (System.currentTimeMillis() - at) / 1000.0;
    }
}
