package io.keyedstate.deployment.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.KeyedState;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.ValueState;
import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.keyedstate.checkpoint.SchemaCheck;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Two keyed channels, in consumer groups of their own, read one topic: each counts every record
 * with state of its own, stored in a folder of its own. The {@code counted} channel's checkpoint
 * from before channels had folders of their own ({@code <application>/<topic>-0}) is taken over by
 * the channel configuration names; the other channel starts empty.
 */
class KeyedChannelsOnOneTopicTest {

    static final String APPLICATION = "channels-on-one-topic";
    static final String TOPIC = "channels-on-one-topic-input";
    static final Path CHECKPOINTS = writeCheckpointOfThePreviousLayout();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class, Auditor.class))
            .overrideConfigKey("quarkus.application.name", APPLICATION)
            .overrideConfigKey("quarkus.keyed-state.checkpoint.filesystem.path", CHECKPOINTS.toString())
            .overrideConfigKey("quarkus.keyed-state.checkpoint.interval", "1h") // taken by the test
            .overrideConfigKey("quarkus.keyed-state.checkpoint.previous-layout-channel", "counted")
            .overrideConfigKey("mp.messaging.incoming.counted.topic", TOPIC)
            .overrideConfigKey("mp.messaging.incoming.counted.group.id", APPLICATION + "-counted")
            .overrideConfigKey("mp.messaging.incoming.counted.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.audited.topic", TOPIC)
            .overrideConfigKey("mp.messaging.incoming.audited.group.id", APPLICATION + "-audited")
            .overrideConfigKey("mp.messaging.incoming.audited.auto.offset.reset", "earliest")
            .setAfterAllCustomizer(() -> {
                try {
                    LocalFiles.deleteRecursively(CHECKPOINTS);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })
            .setLogRecordPredicate(record -> record.getLevel().intValue() >= Level.INFO.intValue()
                    && record.getMessage() != null && record.getMessage().contains("from the previous storage layout"))
            .assertLogRecords(records -> assertThat(records).singleElement().satisfies(record -> assertThat(
                    List.of(record.getParameters()).toString()).contains(TOPIC + "-0", "counted",
                            APPLICATION + "/" + TOPIC + "-0", APPLICATION + "/channels/counted/" + TOPIC + "-0")));

    @Inject
    Counter counter;

    @Inject
    Auditor auditor;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void eachChannelCountsEveryRecordWithStateAndCheckpointsOfItsOwn() throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "k"));
            }
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 1, "j", "j"));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> counter.counts().size() == 2 && auditor.counts().size() == 2
                && counter.counts().get("k") >= 44 && auditor.counts().get("k") >= 3);
        // 41 counted by the previous version in partition 0, for the channel that wrote it; none for the new one.
        assertThat(counter.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("k", 44L, "j", 2L));
        assertThat(auditor.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("k", 3L, "j", 2L));

        checkpoints.checkpoint().toCompletableFuture().get();
        Path application = CHECKPOINTS.resolve(APPLICATION);
        for (String channel : List.of("counted", "audited")) {
            for (int partition : new int[] { 0, 1 }) {
                assertThat(manifests(application.resolve("channels/" + channel + "/" + TOPIC + "-" + partition)))
                        .as("checkpoints of partition %d of %s", partition, channel).isNotEmpty();
            }
        }
        // The taken-over folder is left as it was: an instance of the previous version may still read it.
        assertThat(manifests(application.resolve(TOPIC + "-0"))).singleElement().asString().endsWith("chk-1-g1");
        assertThat(Files.exists(application.resolve(TOPIC + "-1"))).isFalse();
    }

    private static List<Path> manifests(Path shardFolder) throws IOException {
        if (!Files.isDirectory(shardFolder)) {
            return List.of();
        }
        try (Stream<Path> checkpoints = Files.list(shardFolder)) {
            return checkpoints.filter(folder -> Files.exists(folder.resolve(CheckpointManifest.NAME))).toList();
        }
    }

    @ApplicationScoped
    public static class Counter {
        final Map<String, Long> counts = new ConcurrentHashMap<>();

        @KeyedState
        ValueState<Long> count;

        Map<String, Long> counts() {
            return counts;
        }

        @Incoming("counted")
        void on(String key) {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            counts.put(key, n);
        }
    }

    @ApplicationScoped
    public static class Auditor {
        final Map<String, Long> counts = new ConcurrentHashMap<>();

        @KeyedState
        ValueState<Long> seen;

        Map<String, Long> counts() {
            return counts;
        }

        @Incoming("audited")
        void on(String key) {
            long n = seen.getOrDefault(0L) + 1;
            seen.set(n);
            counts.put(key, n);
        }
    }

    /** What the previous version, with {@code Counter} alone on the topic, checkpointed: {@code k} counted 41 times. */
    private static Path writeCheckpointOfThePreviousLayout() {
        List<StateDescriptor> previous = List.of(
                new StateDescriptor(0, Counter.class.getName(), "count", "count", StateKind.VALUE, 0, "java.lang.Long", ""));
        StateCodecs codecs = new StateCodecs(new ObjectMapper(), Map.of());
        HeapStateBackend backend = new HeapStateBackend(previous, System::currentTimeMillis, codecs, 10, true);
        // One folder per JVM: Quarkus loads this class again, and that must not write another.
        Path root = Path.of(System.getProperty("java.io.tmpdir"), APPLICATION + "-" + ProcessHandle.current().pid());
        if (Files.exists(root)) {
            return root;
        }
        try {
            Files.createDirectories(root);
            PreviousVersionCheckpoints.write(backend, 0, "k", previous.get(0), 41L);
            PreviousVersionCheckpoints.checkpoint(backend, 0, new SchemaCheck(previous, codecs, false),
                    root.resolve(APPLICATION + "/" + TOPIC + "-0"), TOPIC + "-0");
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            backend.close();
        }
    }
}
