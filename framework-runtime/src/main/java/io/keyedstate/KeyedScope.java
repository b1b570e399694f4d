package io.keyedstate;

import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.keyedstate.runtime.KeyedStates;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Scopes keyed state to one record explicitly, for batch handlers ({@code batch=true}), which
 * receive many keys at once:
 *
 * <pre>{@code
 * @Incoming("words")
 * void onBatch(ConsumerRecords<String, String> records) {
 *     for (ConsumerRecord<String, String> record : records) {
 *         KeyedScope.run(record, () -> count.set(count.getOrDefault(0L) + 1));
 *     }
 * }
 * }</pre>
 *
 * Single-record handlers never need this: their record's key is bound for them.
 */
public final class KeyedScope {

    private KeyedScope() {
    }

    /** Runs {@code action} with keyed state scoped to {@code record}'s key and partition. */
    public static void run(ConsumerRecord<?, ?> record, Runnable action) {
        call(record, () -> {
            action.run();
            return null;
        });
    }

    /** Like {@link #run(ConsumerRecord, Runnable)}, returning {@code action}'s result. */
    public static <R> R call(ConsumerRecord<?, ?> record, Supplier<R> action) {
        return KeyedStates.callScoped(record.topic(), record.partition(), record.key(), action);
    }

    /** Runs {@code action} scoped to a Kafka message's key, for example a record of a {@code KafkaRecordBatch}. */
    public static void run(Message<?> kafkaMessage, Runnable action) {
        IncomingKafkaRecordMetadata<?, ?> metadata = kafkaMessage.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalArgumentException("Not an incoming Kafka record: " + kafkaMessage));
        KeyedStates.callScoped(metadata.getTopic(), metadata.getPartition(), metadata.getKey(), () -> {
            action.run();
            return null;
        });
    }
}
