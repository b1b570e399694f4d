package io.keyedstate.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.keyedstate.checkpoint.CheckpointManifestTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Per-shard checkpoint meters carry the keyed channel and the partition, so one stuck shard shows. */
class CheckpointMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CheckpointMetrics metrics = new CheckpointMetrics(registry);

    @Test
    void eachShardsCheckpointsRestoresAndFailuresAreTaggedWithItsChannelAndPartition() {
        metrics.completed("words", 2, CheckpointManifestTest.manifest(), TimeUnit.MILLISECONDS.toNanos(3),
                TimeUnit.MILLISECONDS.toNanos(40));
        metrics.failed("words", 3, new IllegalStateException("storage down"));
        metrics.restored("clicks", 0, CheckpointManifestTest.manifest(), TimeUnit.MILLISECONDS.toNanos(7));

        assertThat(registry.get("keyed.state.checkpoint.duration").tag("channel", "words").tag("partition", "2")
                .tag("phase", "async").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get("keyed.state.checkpoint.size").tag("channel", "words").tag("partition", "2").summary()
                .totalAmount()).isEqualTo(CheckpointManifestTest.manifest().totalBytes());
        assertThat(registry.get("keyed.state.checkpoint.failures").tag("channel", "words").tag("partition", "3").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("keyed.state.checkpoint.failures").tag("channel", "words").tag("partition", "2").counter()
                .count()).isZero();
        assertThat(registry.get("keyed.state.restore.duration").tag("channel", "clicks").tag("partition", "0").timer()
                .count()).isEqualTo(1);
        assertThat(registry.get("keyed.state.checkpoint.last.completed.id").gauge().value()).isEqualTo(7);
    }
}
