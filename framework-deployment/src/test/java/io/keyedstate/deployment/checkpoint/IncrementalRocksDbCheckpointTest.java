package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.ValueState;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.QuarkusUnitTest;

/**
 * RocksDB checkpoints store each SST file once: after 1% of 100,000 keys changed, the next
 * checkpoint writes a small fraction of the state; and after many checkpoints with retention 3,
 * storage holds no shared file that no kept checkpoint references.
 */
class IncrementalRocksDbCheckpointTest {

    private static final int KEYS = 100_000;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class))
            .overrideRuntimeConfigKey("quarkus.keyed-state.backend", "rocksdb")
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.interval", "1h") // taken by the test
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.topic", "incremental-counts")
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.auto.offset.reset", "earliest");

    @Inject
    Counter counter;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @Test
    void aCheckpointAfterFewChangesStoresLittleAndRetentionLeavesNoOrphans() throws Exception {
        produce(0, KEYS);
        List<CheckpointManifest> full = checkpoints.checkpoint().toCompletableFuture().get();
        long fullBytes = full.stream().mapToLong(CheckpointManifest::totalBytes).sum();
        assertThat(full.stream().mapToLong(CheckpointManifest::uploadedBytes).sum()).isEqualTo(fullBytes);

        produce(KEYS, KEYS / 100); // updates 1% of the keys
        List<CheckpointManifest> incremental = checkpoints.checkpoint().toCompletableFuture().get();
        long uploaded = incremental.stream().mapToLong(CheckpointManifest::uploadedBytes).sum();
        org.jboss.logging.Logger.getLogger(getClass()).infof("Full checkpoint of %,d keys: %,d bytes; after 1%% of them"
                + " changed: %,d bytes written", KEYS, fullBytes, uploaded);
        assertThat(uploaded).as("bytes written by the checkpoint after 1%% of %d keys changed, of %d", KEYS, fullBytes)
                .isLessThan(fullBytes / 10);

        for (int round = 0; round < 18; round++) {
            produce(KEYS + KEYS / 100 + round * 500, 500);
            checkpoints.checkpoint().toCompletableFuture().get();
        }
        Path root = Path.of(ConfigProvider.getConfig().getValue("quarkus.keyed-state.checkpoint.filesystem.path",
                String.class), ConfigProvider.getConfig().getValue("quarkus.application.name", String.class));
        for (int partition = 0; partition < 4; partition++) {
            Path folder = root.resolve("incremental-counts-" + partition);
            Set<String> referenced = new HashSet<>();
            List<Path> manifests;
            try (Stream<Path> files = Files.walk(folder)) {
                manifests = files.filter(file -> file.getFileName().toString().equals(CheckpointManifest.NAME)).toList();
            }
            assertThat(manifests).hasSize(3);
            for (Path manifest : manifests) {
                CheckpointManifest read = CheckpointManifest.fromJson(Files.readAllBytes(manifest));
                read.files().stream().filter(CheckpointManifest.FileEntry::isShared).forEach(f -> referenced.add(f.location()));
            }
            Set<String> stored = new HashSet<>();
            try (Stream<Path> files = Files.list(folder.resolve("shared"))) {
                files.forEach(file -> stored.add("shared/" + file.getFileName()));
            }
            assertThat(stored).as("shared files of partition %d", partition).isEqualTo(referenced);
        }
    }

    private void produce(int from, int count) {
        long target = counter.records() + count;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                String key = "key-" + (i % KEYS);
                producer.send(new ProducerRecord<>("incremental-counts", key, key));
            }
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> counter.records() >= target);
    }

    @ApplicationScoped
    public static class Counter {
        final AtomicLong records = new AtomicLong();

        @KeyedState
        ValueState<Long> count;

        /** Read through a method: fields of a client proxy are not the bean's. */
        long records() {
            return records.get();
        }

        @Incoming("counts")
        void on(String key) {
            count.set(count.getOrDefault(0L) + 1);
            records.incrementAndGet();
        }
    }
}
