package io.keyedstate.deployment.batching;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.reactive.messaging.kafka.Record;

/** Keyed counters in the handler styles that run batched, and one that cannot, with what they saw. */
final class BatchedHandlers {

    /** The channels whose handlers run batched. */
    static final java.util.List<String> BATCHED = java.util.List.of("payloads", "records", "consumer-records");

    private BatchedHandlers() {
    }

    /**
     * {@code records} records over {@code keys} keys ({@code key-<n>}), spread over the topic's
     * partitions by key; each value starts with its key, {@code key-<n>|<i>}.
     */
    static void send(String bootstrapServers, String topic, int records, int keys) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), "key-" + (i % keys) + "|" + i));
            }
        }
    }

    /**
     * {@code values} to partition 0 of each of {@code topics}, in order and in one produce batch, so
     * that a consumer polls them together; each keyed by {@code keyOf} its value.
     */
    static void sendInOnePoll(String bootstrapServers, java.util.List<String> topics, java.util.List<String> values,
            java.util.function.UnaryOperator<String> keyOf) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "50");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (String topic : topics) {
                for (String value : values) {
                    producer.send(new ProducerRecord<>(topic, 0, keyOf.apply(value), value));
                }
            }
        }
    }

    /** Reads {@code topic} from its beginning until it has seen {@code count} records (more, if they come at once). */
    static java.util.List<ConsumerRecord<String, String>> read(String bootstrapServers, String topic, int count) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + java.util.UUID.randomUUID());
        java.util.List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(java.util.List.of(topic));
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    /** The offset {@code group} committed for {@code topic}'s partition 0, -1 if none. */
    static long committed(String bootstrapServers, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        }
    }

    /** Whether the build generated the batch consumer of {@code Counters}' handler {@code method}, as a bean. */
    static boolean batchConsumerOf(String method) {
        try {
            Class<?> consumer = Class.forName(Counters.class.getName() + "_KeyedBatch_" + method, false,
                    Thread.currentThread().getContextClassLoader());
            return io.quarkus.arc.Arc.container().instance(consumer).isAvailable();
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static String keyIn(String value) {
        return value.substring(0, value.indexOf('|'));
    }

    /** Per channel: each key's latest count, and the threads the handler ran on. */
    @ApplicationScoped
    public static class Counters {

        @KeyedState
        ValueState<Long> count;

        private final Map<String, Map<String, Long>> counts = new ConcurrentHashMap<>();
        private final Map<String, Set<String>> threads = new ConcurrentHashMap<>();

        /** Read through a method: the test holds a client proxy, whose own fields are not the bean's. */
        Map<String, Long> counts(String channel) {
            return counts.get(channel);
        }

        Set<String> threads(String channel) {
            return threads.get(channel);
        }

        private void count(String channel, String key) {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            counts.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(key, n);
            threads.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
        }

        /** A blocking signature: the default for a method returning void. */
        @Incoming("payloads")
        void payload(String value) {
            count("payloads", keyIn(value));
        }

        @Incoming("records")
        @NonBlocking
        void record(Record<String, String> record) {
            count("records", record.key());
        }

        @Incoming("consumer-records")
        void consumerRecord(ConsumerRecord<String, String> record) {
            count("consumer-records", record.key());
        }

        /** A message, which the handler could acknowledge itself: stays on the per-record path. */
        @Incoming("messages")
        java.util.concurrent.CompletionStage<Void> message(Message<String> message) {
            count("messages", keyIn(message.getPayload()));
            return message.ack();
        }
    }
}
