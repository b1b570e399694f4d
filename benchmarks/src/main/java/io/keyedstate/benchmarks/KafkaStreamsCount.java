package io.keyedstate.benchmarks;

import java.nio.file.Files;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The end-to-end benchmark's Kafka Streams contender: {@code groupByKey().count()} into an
 * in-memory or a RocksDB store, at-least-once, with Kafka Streams' defaults otherwise (a changelog
 * topic for the store, record caches, one stream thread). Prints {@code FIRST}, {@code WARM} and {@code DONE}.
 * With an output topic, every count goes there as a decimal string, one output per input (record
 * cache off), committing every 10 s like the extension's checkpoints.
 * <p>
 * Arguments: bootstrap servers, topic, application id, records to expect, {@code memory} or
 * {@code rocksdb}, and optionally the output topic.
 */
public final class KafkaStreamsCount {

    public static void main(String[] args) throws Exception {
        long expected = Long.parseLong(args[3]);
        boolean inMemory = args[4].equals("memory");
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, args[2]);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        config.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("kafka-streams-bench-").toString());
        config.put("auto.offset.reset", "earliest");
        String output = args.length > 5 ? args[5] : null;
        if (output != null) {
            config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10_000);
        }

        AtomicLong processed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, Long> counts = builder.stream(args[1], Consumed.with(Serdes.String(), Serdes.String()))
                .peek((key, value) -> {
                    long n = processed.incrementAndGet();
                    if (n == 1) {
                        System.out.println("FIRST");
                    } else if (n == expected / EndToEndBenchmark.WARM_UP) {
                        System.out.println("WARM");
                    } else if (n == expected) {
                        done.countDown();
                    }
                })
                .groupByKey()
                .count(inMemory
                        ? Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("counts"))
                        : Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts"));
        if (output != null) {
            counts.toStream().mapValues(count -> Long.toString(count)).to(output, Produced.with(Serdes.String(),
                    Serdes.String()));
        }
        try (KafkaStreams streams = new KafkaStreams(builder.build(), config)) {
            streams.start();
            done.await();
            if (output != null) {
                Thread.sleep(Long.MAX_VALUE); // the driver times outputs until they are all in their topic, then stops it
            }
            // The last records' counts are in the store; like the other contenders, stop here.
            System.out.println("DONE");
        }
    }
}
