package io.keyedstate.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ClickSessionsTest {

    @Test
    void aSessionEndsThirtySecondsOfClickTimeAfterItsLastClick() {
        String bootstrapServers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Times from now: the broker deletes records older than its retention, and refuses those an hour ahead.
        long t = System.currentTimeMillis();
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("clicks", 0, t + 1_000, "ann", "/"));
            producer.send(new ProducerRecord<>("clicks", 0, t + 2_000, "ben", "/"));
            producer.send(new ProducerRecord<>("clicks", 0, t + 20_000, "ann", "/cart"));
            // 40 s of click time later: ben's session (last click at 2 s) is over, ann's (20 s) is not.
            producer.send(new ProducerRecord<>("clicks", 0, t + 42_000, "cat", "/"));
            producer.send(new ProducerRecord<>("clicks", 0, t + 50_001, "cat", "/search"));
        }

        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "sessions-test");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> sessions = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("sessions"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> sessions.add(record.key() + ": " + record.value()));
                assertThat(sessions).hasSize(2);
            });
            consumer.poll(Duration.ofSeconds(1)).forEach(record -> sessions.add(record.key() + ": " + record.value()));
        }
        // ann's session ends at 50,000 (20 s + 30 s), which cat's last click reached; cat's own is still open.
        assertThat(sessions).containsExactly("ben: clicks=1 first=" + (t + 2_000) + " last=" + (t + 2_000),
                "ann: clicks=2 first=" + (t + 1_000) + " last=" + (t + 20_000));
    }
}
