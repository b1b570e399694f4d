package io.keyedstate;

import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.keyedstate.runtime.KeyedStates;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
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

    /** The application's keyed state, looked up in the container: a static API has no injection point. */
    private static KeyedStates states() {
        ArcContainer container = Arc.container();
        InstanceHandle<KeyedStates> states = container == null ? null : container.instance(KeyedStates.class);
        if (states == null || !states.isAvailable()) {
            throw new IllegalStateException("Keyed state is not started: the application has no @KeyedState field,"
                    + " or it is not running");
        }
        return states.get();
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
        return states().callScoped(null, record.topic(), record.partition(), record.key(), action);
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
        return states().callScoped(java.util.Objects.requireNonNull(channel, "channel"), record.topic(),
                record.partition(), record.key(), action);
    }

    /** Runs {@code action} scoped to a Kafka message's key, for example a record of a {@code KafkaRecordBatch}. */
    public static void run(Message<?> kafkaMessage, Runnable action) {
        IncomingKafkaRecordMetadata<?, ?> metadata = kafkaMessage.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalArgumentException("Not an incoming Kafka record: " + kafkaMessage));
        states().callScoped(metadata.getChannel(), metadata.getTopic(), metadata.getPartition(), metadata.getKey(), () -> {
            action.run();
            return null;
        });
    }
}
