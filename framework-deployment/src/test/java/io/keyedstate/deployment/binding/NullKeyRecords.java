package io.keyedstate.deployment.binding;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.reactive.messaging.kafka.Record;

/** A keyed counter, and the records with and without keys that the null-key tests send it. */
final class NullKeyRecords {

    private NullKeyRecords() {
    }

    static void send(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            // One partition for all, so that the order is kept: null keys are hashed like any other key.
            producer.send(new ProducerRecord<>(topic, 0, null, "a"));
            producer.send(new ProducerRecord<>(topic, 0, "k", "b"));
            producer.send(new ProducerRecord<>(topic, 0, null, "c"));
            producer.send(new ProducerRecord<>(topic, 0, "k", "d"));
        }
    }

    @ApplicationScoped
    public static class Counter {

        @KeyedState
        ValueState<Long> count;

        private final List<String> seen = new CopyOnWriteArrayList<>();

        @Incoming("keys")
        void on(Record<String, String> record) {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            seen.add(record.value() + n);
        }

        List<String> seen() {
            return seen;
        }
    }
}
