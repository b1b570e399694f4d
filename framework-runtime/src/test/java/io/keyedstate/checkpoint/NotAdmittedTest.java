package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;

class NotAdmittedTest {

    private static final TopicPartition P0 = new TopicPartition("words", 0);
    private static final TopicPartition P2 = new TopicPartition("words", 2);

    @Test
    void aBatchOfAdmittedPartitionsHasNoneToSkip() {
        assertThat(NotAdmitted.partitionsOf(batch())).isEmpty();
    }

    @Test
    void thePartitionWhoseLastRecordTheGateRefusedIsSkippedTheOthersNot() {
        IncomingKafkaRecordBatch<String, String> batch = batch();
        // As the gate is called: with the last record of each partition of the batch.
        NotAdmitted.mark((IncomingKafkaRecord<?, ?>) batch.getLatestOffsetRecords().get(P2));

        assertThat(NotAdmitted.partitionsOf(batch)).containsExactly(P2);
    }

    private static IncomingKafkaRecordBatch<String, String> batch() {
        ConsumerRecords<String, String> polled = new ConsumerRecords<>(Map.of(
                P0, List.of(new ConsumerRecord<>("words", 0, 7, "a", "a"), new ConsumerRecord<>("words", 0, 8, "b", "b")),
                P2, List.of(new ConsumerRecord<>("words", 2, 40, "c", "c"), new ConsumerRecord<>("words", 2, 41, "d", "d"))),
                Map.of(P0, new OffsetAndMetadata(9), P2, new OffsetAndMetadata(42)));
        KafkaCommitHandler commits = new KafkaCommitHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
                return Uni.createFrom().voidItem();
            }
        };
        return new IncomingKafkaRecordBatch<>(polled, "words", 1, commits, null, false, false);
    }
}
