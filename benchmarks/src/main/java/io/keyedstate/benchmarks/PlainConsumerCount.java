package io.keyedstate.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The end-to-end benchmark's ceiling: one {@code KafkaConsumer} polling every partition and
 * counting into a {@code HashMap}, committing offsets once a second (as auto-commit would), with
 * no state store, no fault tolerance and no framework. Prints {@code FIRST}, {@code WARM} and {@code DONE} like every contender.
 * With an output topic it also sends each record's new count there, and flushes the producer
 * before each commit (at-least-once).
 * <p>
 * Arguments: bootstrap servers, topic, group id, records to expect, and optionally the output topic.
 */
public final class PlainConsumerCount {

    public static void main(String[] args) throws InterruptedException {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long expected = Long.parseLong(args[3]);
        Map<String, Long> counts = new HashMap<>();
        long processed = 0;
        long lastCommit = System.nanoTime();
        String output = args.length > 4 ? args[4] : null;
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
                var producer = output == null ? null
                        : new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            consumer.subscribe(List.of(args[1]));
            while (processed < expected) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    long count = counts.merge(record.key(), 1L, Long::sum);
                    if (producer != null) {
                        producer.send(new ProducerRecord<>(output, record.key(), Long.toString(count)));
                    }
                    if (++processed == 1) {
                        System.out.println("FIRST");
                    } else if (processed == expected / EndToEndBenchmark.WARM_UP) {
                        System.out.println("WARM");
                    }
                }
                if (System.nanoTime() - lastCommit > 1_000_000_000L) {
                    if (producer != null) {
                        producer.flush(); // outputs before the offsets of their inputs
                    }
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
            if (producer != null) {
                producer.flush();
                System.out.println("DONE keys=" + counts.size());
                Thread.sleep(Long.MAX_VALUE); // the driver times outputs until they are all in their topic, then stops it
            }
        }
        System.out.println("DONE keys=" + counts.size());
    }
}
