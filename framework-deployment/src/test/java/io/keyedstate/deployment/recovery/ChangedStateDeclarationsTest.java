package io.keyedstate.deployment.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;

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
import io.keyedstate.ValueState;
import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.checkpoint.SchemaCheck;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An application restarted with other state declarations than the version that wrote its
 * checkpoints: {@code Counter.count} gained a ttl, which keeps its stored counts; {@code
 * Tally.removed} is gone, which refuses the partition that holds some of it, with an ERROR naming
 * it, and drops it silently from the partition of the other channel, which holds nothing of it.
 */
class ChangedStateDeclarationsTest {

    static final String APPLICATION = "changed-declarations";
    static final String COUNTED = "changed-declarations-counted";
    static final String TALLIED = "changed-declarations-tallied";
    static final Path CHECKPOINTS = writeCheckpointsOfThePreviousVersion();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class, Tally.class))
            .overrideConfigKey("quarkus.application.name", APPLICATION)
            .overrideConfigKey("quarkus.keyed-state.checkpoint.filesystem.path", CHECKPOINTS.toString())
            .overrideConfigKey("mp.messaging.incoming.counted.topic", COUNTED)
            .overrideConfigKey("mp.messaging.incoming.counted.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.tallied.topic", TALLIED)
            .overrideConfigKey("mp.messaging.incoming.tallied.auto.offset.reset", "earliest")
            .setAfterAllCustomizer(() -> {
                try {
                    LocalFiles.deleteRecursively(CHECKPOINTS);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })
            .setLogRecordPredicate(record -> record.getLevel().intValue() >= Level.SEVERE.intValue()
                    && record.getMessage() != null && record.getMessage().startsWith("Partition %s has checkpoints"))
            .assertLogRecords(records -> assertThat(records).isNotEmpty().allSatisfy(record -> assertThat(
                    Arrays.toString(record.getParameters())).contains(TALLIED + "-0",
                            "Tally.removed (ValueState \"removed\"), ValueState<java.lang.String> without ttl",
                            "no longer declares", "drop-undeclared-states=true")));

    @Inject
    Counter counter;

    @Inject
    Tally tally;

    @Inject
    KeyedStates states;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aStateThatGainedATtlKeepsItsValuesAndOneNoLongerDeclaredRefusesItsPartition() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TALLIED, 0, "t", "t"));
            producer.send(new ProducerRecord<>(TALLIED, 1, "u", "u"));
            producer.send(new ProducerRecord<>(COUNTED, 0, "k", "k"));
        }
        // 41 counted by the previous version, without a ttl: not taken for expired.
        await().atMost(Duration.ofSeconds(60)).until(() -> counter.counts().containsKey("k"));
        assertThat(counter.counts()).containsEntry("k", 42L);
        await().atMost(Duration.ofSeconds(60)).until(() -> tally.totals().containsKey("u"));
        assertThat(states.coordinator().unrecoverableShards()).containsOnlyKeys(TALLIED + "-0 (channel tallied)");
        assertThat(tally.totals()).doesNotContainKey("t");
    }

    @ApplicationScoped
    public static class Counter {
        final Map<String, Long> counts = new ConcurrentHashMap<>();

        @KeyedState(ttl = "1h")
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
    public static class Tally {
        final Map<String, Long> totals = new ConcurrentHashMap<>();

        @KeyedState
        ValueState<Long> total;

        Map<String, Long> totals() {
            return totals;
        }

        @Incoming("tallied")
        void on(String key) {
            long n = total.getOrDefault(0L) + 1;
            total.set(n);
            totals.put(key, n);
        }
    }

    /**
     * What the previous version of the application (no ttl on {@code count}, a {@code removed}
     * state in {@code Tally}) checkpointed: {@code k} counted 41 times in partition 0 of
     * {@value #COUNTED}, and a total and a {@code removed} value for {@code t} in partition 0 of
     * {@value #TALLIED}.
     */
    private static Path writeCheckpointsOfThePreviousVersion() {
        List<StateDescriptor> previous = List.of(
                new StateDescriptor(0, Counter.class.getName(), "count", "count", StateKind.VALUE, 0, "java.lang.Long", ""),
                new StateDescriptor(1, Tally.class.getName(), "total", "total", StateKind.VALUE, 0, "java.lang.Long", ""),
                new StateDescriptor(2, Tally.class.getName(), "removed", "removed", StateKind.VALUE, 0, "java.lang.String",
                        ""));
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
            PreviousVersionCheckpoints.checkpoint(backend, 0, new SchemaCheck(previous, codecs, false), root.resolve(APPLICATION + "/" + COUNTED + "-0"),
                    COUNTED + "-0");
            PreviousVersionCheckpoints.write(backend, 1, "t", previous.get(1), 7L);
            PreviousVersionCheckpoints.write(backend, 1, "t", previous.get(2), "gone");
            PreviousVersionCheckpoints.checkpoint(backend, 1, new SchemaCheck(previous, codecs, false), root.resolve(APPLICATION + "/" + TALLIED + "-0"),
                    TALLIED + "-0");
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            backend.close();
        }
    }
}
