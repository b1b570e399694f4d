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
 * Single-record handlers never need this: their record's key is bound for them. When several keyed
 * channels read the record's topic, each with state of its own, a {@code ConsumerRecord} does not say
 * which one it came through: name the channel ({@link #run(String, ConsumerRecord, Runnable)}). A
 * {@code Message} of the Kafka connector knows its channel.
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
        return KeyedStates.callScoped(null, record.topic(), record.partition(), record.key(), action);
    }

    /** Runs {@code action} with the keyed state of channel {@code channel} scoped to {@code record}'s key and partition. */
    public static void run(String channel, ConsumerRecord<?, ?> record, Runnable action) {
        call(channel, record, () -> {
            action.run();
            return null;
        });
    }

    /** Like {@link #run(String, ConsumerRecord, Runnable)}, returning {@code action}'s result. */
    public static <R> R call(String channel, ConsumerRecord<?, ?> record, Supplier<R> action) {
        return KeyedStates.callScoped(java.util.Objects.requireNonNull(channel, "channel"), record.topic(),
                record.partition(), record.key(), action);
    }

    /** Runs {@code action} scoped to a Kafka message's key, for example a record of a {@code KafkaRecordBatch}. */
    public static void run(Message<?> kafkaMessage, Runnable action) {
        IncomingKafkaRecordMetadata<?, ?> metadata = kafkaMessage.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalArgumentException("Not an incoming Kafka record: " + kafkaMessage));
        KeyedStates.callScoped(metadata.getChannel(), metadata.getTopic(), metadata.getPartition(), metadata.getKey(), () -> {
            action.run();
            return null;
        });
    }
}
