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
class FraudDetectorTest {

    @Test
    void alertsOnASpikeAndOnTooManyMerchantsPerCardOnly() {
        String bootstrapServers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            // card-1: three small payments, then a spike at a sixth merchant in the hour.
            for (String payment : List.of("m1,1000", "m2,1200", "m3,800", "m4,900", "m5,1100", "m6,9000")) {
                producer.send(new ProducerRecord<>("payments", "card-1", payment));
            }
            // card-2: a quiet card at the same merchants: its history is its own, so no alert.
            for (String payment : List.of("m1,1000", "m1,1000", "m1,1000", "m1,1200")) {
                producer.send(new ProducerRecord<>("payments", "card-2", payment));
            }
        }

        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "fraud-test");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> alerts = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("alerts"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> alerts.add(record.key() + ": " + record.value()));
                assertThat(alerts).hasSize(2);
            });
            // Nothing else arrives for card-2.
            consumer.poll(Duration.ofSeconds(1)).forEach(record -> alerts.add(record.key() + ": " + record.value()));
        }
        assertThat(alerts).containsExactlyInAnyOrder(
                "card-1: amount 9000 is over 5x the recent average 1000",
                "card-1: 6 merchants within the hour");
    }
}
