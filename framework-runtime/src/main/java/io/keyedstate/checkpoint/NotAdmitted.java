package io.keyedstate.checkpoint;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;

/**
 * Marks, on the last record of a partition in a batch, that the partition's gate did not admit
 * the batch: it was polled before the partition was let go. None of the batch's records of that
 * partition may be applied; whoever owns the partition next reads them again from its checkpoint.
 * The connector calls the gate with the last record of each partition only, so that is where the
 * mark sits.
 */
public final class NotAdmitted {

    private static final NotAdmitted MARK = new NotAdmitted();

    private NotAdmitted() {
    }

    static void mark(IncomingKafkaRecord<?, ?> lastOfPartition) {
        lastOfPartition.injectMetadata(MARK);
    }

    /** The partitions of {@code batch} whose records must not be applied; empty nearly always. */
    public static Set<TopicPartition> partitionsOf(KafkaRecordBatch<?, ?> batch) {
        Set<TopicPartition> refused = Set.of();
        for (Map.Entry<TopicPartition, ? extends KafkaRecord<?, ?>> last : batch.getLatestOffsetRecords().entrySet()) {
            if (last.getValue().getMetadata(NotAdmitted.class).isPresent()) {
                if (refused.isEmpty()) {
                    refused = new HashSet<>();
                }
                refused.add(last.getKey());
            }
        }
        return refused;
    }
}
