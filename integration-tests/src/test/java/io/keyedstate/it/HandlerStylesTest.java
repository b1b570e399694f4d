package io.keyedstate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.keyedstate.runtime.KeyedStates;
import io.quarkus.test.junit.QuarkusTest;

/**
 * 20,000 records over 500 keys on a 4-partition topic per handler style: every key's count must
 * come out exact, which it cannot if a handler ever saw another record's key.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class HandlerStylesTest {

    static final int KEYS = 500;
    static final int RECORDS = 20_000;
    static final List<String> CHANNELS = List.of("payload", "message", "record", "consumer-record", "kafka-record", "uni",
            "blocking", "virtual", "concurrent", "batch");

    @Inject
    Observations observations;

    @Inject
    KeyedStates states;

    @Inject
    io.keyedstate.KeyedStateCheckpoints checkpoints;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "test.topic-prefix")
    String topicPrefix;

    @BeforeAll
    void produceTheSameRecordsToEveryTopic() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String key = "key-" + (i % KEYS);
                for (String topic : CHANNELS) {
                    producer.send(new ProducerRecord<>(topicPrefix + topic, key, key));
                }
                // Every key gets records on both co-partitioned topics.
                String coPartitioned = (i / KEYS) % 2 == 0 ? "co-partitioned-a" : "co-partitioned-b";
                producer.send(new ProducerRecord<>(topicPrefix + coPartitioned, key, key));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "payload", "message", "record", "consumer-record", "kafka-record", "uni", "blocking",
            "virtual", "concurrent", "batch", "co-partitioned" })
    void everyKeyCountsExactly(String channel) {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations(channel) >= RECORDS);

        Map<String, Long> expected = IntStream.range(0, KEYS).boxed()
                .collect(Collectors.toMap(i -> "key-" + i, i -> (long) (RECORDS / KEYS)));
        assertThat(observations.invocations(channel)).isEqualTo(RECORDS);
        assertThat(observations.highestCounts(channel)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "blocking", "concurrent" })
    void theKeyFollowsTheRecordToWorkerThreads(String channel) {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations(channel) >= RECORDS);
        assertThat(observations.threadKinds(channel)).contains("worker").doesNotContain("event-loop");
    }

    @ParameterizedTest
    @ValueSource(strings = { "virtual", "concurrent" })
    void concurrentHandlersNeverRunTwoRecordsOfOneKeyAtOnce(String channel) {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations(channel) >= RECORDS);
        assertThat(observations.overlaps(channel)).isZero();
    }

    @org.junit.jupiter.api.Test
    void keyedChannelsCommitOffsetsWithCheckpoints() {
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        for (String channel : List.of("payload", "virtual", "concurrent", "batch")) {
            assertThat(config.getOptionalValue("mp.messaging.incoming." + channel + ".commit-strategy", String.class))
                    .as(channel).hasValue("keyed-state");
        }
    }

    @org.junit.jupiter.api.Test
    void runOnVirtualThreadHandlersRunOnVirtualThreadsFromJava21() {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations("virtual") >= RECORDS);
        // Before Java 21 Quarkus falls back to worker threads; either way the key followed the record.
        String expected = Runtime.version().feature() >= 21 ? "virtual" : "worker";
        assertThat(observations.threadKinds("virtual")).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "payload" })
    void stateIsShardedByChannelPartition(String channel) {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations(channel) >= RECORDS);
        var ids = states.shardIds();
        assertThat(states.backend().shards()).map(shard -> shard.id()).filteredOn(id -> ids.channel(id).equals(channel))
                .map(ids::partition).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @org.junit.jupiter.api.Test
    void aShardOfCoPartitionedTopicsCheckpointsTheOffsetsOfBoth() {
        await().atMost(Duration.ofMinutes(2)).until(() -> observations.invocations("co-partitioned") >= RECORDS);
        String a = topicPrefix + "co-partitioned-a";
        String b = topicPrefix + "co-partitioned-b";
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            long checkpointed = 0;
            for (int partition = 0; partition < 4; partition++) {
                List<io.keyedstate.CheckpointInfo> manifests = checkpoints.list()
                        .get("channels/co-partitioned/" + a + "+" + b + "-" + partition);
                assertThat(manifests).isNotEmpty();
                Map<String, Long> offsets = manifests.get(0).offsets();
                assertThat(offsets).containsOnlyKeys(a + "-" + partition, b + "-" + partition);
                checkpointed += offsets.values().stream().mapToLong(Long::longValue).sum();
            }
            assertThat(checkpointed).isEqualTo(RECORDS);
        });
    }
}
