package io.keyedstate.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The end-to-end benchmark's ceiling: one {@code KafkaConsumer} polling every partition and
 * counting into a {@code HashMap}, committing offsets once a second (as auto-commit would), with
 * no state store, no fault tolerance and no framework. Prints {@code FIRST} and {@code DONE} like every contender.
 * <p>
 * Arguments: bootstrap servers, topic, group id, records to expect.
 */
public final class PlainConsumerCount {

    public static void main(String[] args) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long expected = Long.parseLong(args[3]);
        Map<String, Long> counts = new HashMap<>();
        long processed = 0;
        long lastCommit = System.nanoTime();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(args[1]));
            while (processed < expected) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    counts.merge(record.key(), 1L, Long::sum);
                    if (++processed == 1) {
                        System.out.println("FIRST");
                    }
                }
                if (System.nanoTime() - lastCommit > 1_000_000_000L) {
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
        }
        System.out.println("DONE keys=" + counts.size());
    }
}
