package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreFenceTest {

    private static final TopicPartition P0 = new TopicPartition("words", 0);
    private static final TopicPartition P1 = new TopicPartition("words", 1);

    @Test
    void recordsOfAFencedPartitionAreDroppedAndReportedTheOthersPass() {
        RestoreFence<String, String> fence = fenceOf("fence-drops");
        AtomicInteger dropped = new AtomicInteger();
        RestoreFence.fence("fence-drops", P0, dropped::incrementAndGet);

        ConsumerRecords<String, String> kept = fence.onConsume(records());

        assertThat(kept.partitions()).containsExactly(P1);
        assertThat(kept.records(P1)).extracting(ConsumerRecord::offset).containsExactly(7L, 8L);
        assertThat(kept.nextOffsets()).containsOnlyKeys(P1);
        assertThat(dropped).hasValue(1);
    }

    @Test
    void aLiftedFenceLetsRecordsThroughUntouched() {
        RestoreFence<String, String> fence = fenceOf("fence-lifted");
        RestoreFence.fence("fence-lifted", P0, () -> {
        });
        RestoreFence.lift("fence-lifted", P0);
        ConsumerRecords<String, String> polled = records();

        assertThat(fence.onConsume(polled)).isSameAs(polled);
    }

    @Test
    void aFenceHoldsOnlyForItsOwnGroup() {
        RestoreFence<String, String> fence = fenceOf("fence-other-group");
        RestoreFence.fence("fence-elsewhere", P0, () -> {
        });
        ConsumerRecords<String, String> polled = records();

        assertThat(fence.onConsume(polled)).isSameAs(polled);
    }

    private static RestoreFence<String, String> fenceOf(String group) {
        RestoreFence<String, String> fence = new RestoreFence<>();
        fence.configure(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group));
        return fence;
    }

    private static ConsumerRecords<String, String> records() {
        return new ConsumerRecords<>(
                Map.of(P0, List.of(record(P0, 3), record(P0, 4)), P1, List.of(record(P1, 7), record(P1, 8))),
                Map.of(P0, new OffsetAndMetadata(5, Optional.empty(), ""), P1, new OffsetAndMetadata(9, Optional.empty(), "")));
    }

    private static ConsumerRecord<String, String> record(TopicPartition partition, long offset) {
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, "k", "v");
    }
}
