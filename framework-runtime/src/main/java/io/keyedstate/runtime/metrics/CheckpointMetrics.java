package io.keyedstate.runtime.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.keyedstate.checkpoint.CheckpointListener;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Checkpoint and restore metrics, fed by the coordinator as checkpoints complete, fail and restore.
 * Per-shard meters carry the keyed channel and the partition as tags, so that one stuck or failing
 * partition shows among the healthy ones; the newest completed checkpoint is process-wide.
 */
final class CheckpointMetrics implements CheckpointListener {

    /** The meters of one shard, registered when it first reports. */
    private static final class ShardMeters {
        final Timer syncDuration;
        final Timer asyncDuration;
        final DistributionSummary size;
        final DistributionSummary files;
        final DistributionSummary uploaded;
        final Counter failures;
        final Timer restoreDuration;
        final Counter restoredBytes;

        ShardMeters(MeterRegistry registry, Tags tags) {
            syncDuration = Timer.builder("keyed.state.checkpoint.duration").tags(tags).tag("phase", "sync")
                    .description("Time a shard's processing paused for a checkpoint: barrier alignment and snapshot")
                    .register(registry);
            asyncDuration = Timer.builder("keyed.state.checkpoint.duration").tags(tags).tag("phase", "async")
                    .description("Time to write a shard's checkpoint files and manifest, while processing goes on")
                    .register(registry);
            size = DistributionSummary.builder("keyed.state.checkpoint.size").tags(tags).baseUnit("bytes")
                    .description("Bytes written per shard checkpoint").register(registry);
            uploaded = DistributionSummary.builder("keyed.state.checkpoint.uploaded").tags(tags).baseUnit("bytes")
                    .description("Bytes a shard checkpoint wrote; the rest of its size it shares with earlier ones")
                    .register(registry);
            files = DistributionSummary.builder("keyed.state.checkpoint.files").tags(tags)
                    .description("Files written per shard checkpoint").register(registry);
            failures = Counter.builder("keyed.state.checkpoint.failures").tags(tags)
                    .description("Shard checkpoints that failed (storage error, timeout)").register(registry);
            restoreDuration = Timer.builder("keyed.state.restore.duration").tags(tags)
                    .description("Time to restore a shard from a checkpoint").register(registry);
            restoredBytes = Counter.builder("keyed.state.restore.bytes").tags(tags).baseUnit("bytes")
                    .description("Bytes of checkpoints restored").register(registry);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, ShardMeters> shards = new ConcurrentHashMap<>();
    private final AtomicLong lastCompletedId = new AtomicLong(-1);
    private final AtomicLong lastCompletedAt = new AtomicLong();

    CheckpointMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("keyed.state.checkpoint.last.completed.id", lastCompletedId, AtomicLong::get)
                .description("Sequence number of the newest completed checkpoint of any shard; -1 before the first")
                .register(registry);
        Gauge.builder("keyed.state.checkpoint.last.completed.age", lastCompletedAt, CheckpointMetrics::ageSeconds)
                .description("Seconds since the newest checkpoint completed; -1 before the first")
                .baseUnit("seconds")
                .register(registry);
    }

    private ShardMeters meters(String channel, int partition) {
        return shards.computeIfAbsent(channel + "/" + partition,
                key -> new ShardMeters(registry, Tags.of("channel", channel, "partition", Integer.toString(partition))));
    }

    @Override
    public void completed(String channel, int partition, CheckpointManifest manifest, long syncNanos, long asyncNanos) {
        ShardMeters meters = meters(channel, partition);
        meters.syncDuration.record(syncNanos, TimeUnit.NANOSECONDS);
        meters.asyncDuration.record(asyncNanos, TimeUnit.NANOSECONDS);
        meters.size.record(manifest.totalBytes());
        meters.uploaded.record(manifest.uploadedBytes());
        meters.files.record(manifest.files().size());
        if (!manifest.savepoint()) {
            lastCompletedId.accumulateAndGet(manifest.n(), Math::max);
            lastCompletedAt.set(System.currentTimeMillis());
        }
    }

    @Override
    public void failed(String channel, int partition, Throwable failure) {
        meters(channel, partition).failures.increment();
    }

    @Override
    public void restored(String channel, int partition, CheckpointManifest manifest, long nanos) {
        ShardMeters meters = meters(channel, partition);
        meters.restoreDuration.record(nanos, TimeUnit.NANOSECONDS);
        meters.restoredBytes.increment(manifest.totalBytes());
    }

    private static double ageSeconds(AtomicLong completedAt) {
        long at = completedAt.get();
        return at == 0 ? -1 : (System.currentTimeMillis() - at) / 1000.0;
    }
}
