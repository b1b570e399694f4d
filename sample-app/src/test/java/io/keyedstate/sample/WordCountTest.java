package io.keyedstate.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
class WordCountTest {

    @Test
    void emitsTheRunningCountOfEveryWordThroughTheEmbeddedBroker() {
        // Read from config rather than injected, so that WordCountIT can run this against the packaged app.
        String bootstrapServers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        List<String> words = List.of("kafka", "state", "kafka", "quarkus", "kafka", "state");
        Map<String, String> expected = Map.of("kafka", "3", "state", "2", "quarkus", "1");

        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            words.forEach(word -> producer.send(new ProducerRecord<>("words", word, word)));
        }

        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "word-count-test");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> latest = new HashMap<>();
        int[] received = { 0 };
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("counts"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    received[0]++;
                    latest.merge(record.key(), record.value(), (a, b) -> Long.parseLong(b) > Long.parseLong(a) ? b : a);
                });
                assertThat(latest).isEqualTo(expected);
            });
        }
        assertThat(received[0]).as("one output record per input record").isEqualTo(words.size());
    }
}
