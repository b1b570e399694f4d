package io.keyedstate.it;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.keyedstate.KeyedScope;
import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * The same count in every handler signature and threading model that SmallRye allows. Each record's
 * value is its key, so that payload-only handlers can report which key they counted.
 */
public final class Handlers {

    private Handlers() {
    }

    /** Increments the current key's count and reports it. */
    static void count(ValueState<Long> count, Observations observations, String channel, String key) {
        observations.entered(channel, key);
        try {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            observations.saw(channel, key, n);
        } finally {
            observations.left(channel, key);
        }
    }

    @ApplicationScoped
    public static class Payload {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("payload")
        void onWord(String word) {
            count(count, observations, "payload", word);
        }
    }

    @ApplicationScoped
    public static class MessageHandler {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("message")
        CompletionStage<Void> onMessage(Message<String> message) {
            count(count, observations, "message", message.getPayload());
            return message.ack();
        }
    }

    @Singleton
    public static class RecordHandler {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("record")
        void onRecord(Record<String, String> record) {
            count(count, observations, "record", record.key());
        }
    }

    @ApplicationScoped
    public static class ConsumerRecordHandler {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("consumer-record")
        void onRecord(ConsumerRecord<String, String> record) {
            count(count, observations, "consumer-record", record.key());
        }
    }

    @ApplicationScoped
    public static class KafkaRecordHandler {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("kafka-record")
        CompletionStage<Void> onRecord(KafkaRecord<String, String> record) {
            count(count, observations, "kafka-record", record.getKey());
            return record.ack();
        }
    }

    @ApplicationScoped
    public static class NonBlockingUni {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("uni")
        @NonBlocking
        Uni<Void> onWord(String word) {
            count(count, observations, "uni", word);
            return Uni.createFrom().voidItem();
        }
    }

    @ApplicationScoped
    public static class BlockingWorker {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("blocking")
        @Blocking
        void onWord(String word) {
            count(count, observations, "blocking", word);
        }
    }

    @ApplicationScoped
    public static class VirtualThread {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("virtual")
        @RunOnVirtualThread
        void onWord(String word) {
            count(count, observations, "virtual", word);
        }
    }

    /** Records of different keys run concurrently on workers; those of one key in order (the keyed-state commit strategy orders them). */
    @ApplicationScoped
    public static class ConcurrentByKey {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("concurrent")
        @io.smallrye.reactive.messaging.annotations.Blocking(ordered = false)
        void onWord(String word) {
            count(count, observations, "concurrent", word);
        }
    }

    /** One channel reading two co-partitioned topics: partition p of both feeds one shard. */
    @ApplicationScoped
    public static class CoPartitioned {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("co-partitioned")
        void onWord(String word) {
            count(count, observations, "co-partitioned", word);
        }
    }

    @ApplicationScoped
    public static class Batch {
        @KeyedState
        ValueState<Long> count;
        @Inject
        Observations observations;

        @Incoming("batch")
        void onBatch(ConsumerRecords<String, String> records) {
            for (ConsumerRecord<String, String> record : records) {
                KeyedScope.run(record, () -> count(count, observations, "batch", record.key()));
            }
        }
    }
}
