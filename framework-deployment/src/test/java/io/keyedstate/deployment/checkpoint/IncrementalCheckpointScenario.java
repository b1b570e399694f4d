package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedState;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.ValueState;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.keyedstate.testing.S3ProxyServer;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.smallrye.config.SecretKeys;
import io.quarkus.test.QuarkusUnitTest;

/**
 * What incremental checkpoints owe, per backend, on the S3 server: after 1% of 100,000 keys changed,
 * the next checkpoint uploads under a tenth of the full size; and after 20 checkpoints with
 * retention 3, the bucket holds exactly the objects the 3 kept checkpoints reference.
 */
final class IncrementalCheckpointScenario {

    static final int KEYS = 100_000;
    private static final int PARTITIONS = 4;
    /** The default of quarkus.keyed-state.checkpoint.inline-threshold (16K). */
    private static final long INLINE_THRESHOLD = 16 * 1024;
    private static final Logger LOG = Logger.getLogger(IncrementalCheckpointScenario.class);

    private IncrementalCheckpointScenario() {
    }

    /** The application: {@link Counter} on {@code topic}, checkpoints only when the test takes them, in bucket {@code topic}. */
    static QuarkusUnitTest app(String backend, String topic) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        return new QuarkusUnitTest()
                .withApplicationRoot(root -> root.addClasses(Counter.class, IncrementalCheckpointScenario.class))
                .overrideRuntimeConfigKey("quarkus.keyed-state.backend", backend)
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.interval", "1h") // taken by the test
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.storage", "s3")
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.endpoint", s3.endpoint())
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.bucket", topic)
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.access-key", s3.accessKey())
                .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.secret-key", s3.secretKey())
                .overrideRuntimeConfigKey("mp.messaging.incoming.counts.topic", topic)
                .overrideRuntimeConfigKey("mp.messaging.incoming.counts.auto.offset.reset", "earliest");
    }

    static void run(Counter counter, KeyedStateCheckpoints checkpoints, String topic) throws Exception {
        // The application's own settings: the test runs in its class loader, where S3ProxyServer.shared() is another server.
        var config = ConfigProvider.getConfig();
        String s3 = "quarkus.keyed-state.checkpoint.s3.";
        MinioClient client = SecretKeys.doUnlocked(() -> MinioClient.builder()
                .endpoint(config.getValue(s3 + "endpoint", String.class))
                .credentials(config.getValue(s3 + "access-key", String.class), config.getValue(s3 + "secret-key", String.class))
                .build());
        String application = config.getValue("quarkus.application.name", String.class);

        produce(counter, topic, 0, KEYS);
        List<CheckpointInfo> full = checkpoints.checkpoint().toCompletableFuture().get();
        assertThat(full).hasSize(PARTITIONS);
        long fullBytes = full.stream().mapToLong(CheckpointInfo::totalBytes).sum();
        assertThat(full.stream().mapToLong(CheckpointInfo::uploadedBytes).sum()).isEqualTo(fullBytes);

        produce(counter, topic, KEYS, KEYS / 100); // updates 1% of the keys
        List<CheckpointInfo> incremental = checkpoints.checkpoint().toCompletableFuture().get();
        long uploaded = incremental.stream().mapToLong(CheckpointInfo::uploadedBytes).sum();
        LOG.infof("Full checkpoint of %,d keys: %,d bytes; after 1%% of them changed: %,d bytes uploaded", KEYS, fullBytes,
                uploaded);
        assertThat(uploaded).as("bytes uploaded after 1%% of %d keys changed, of %d", KEYS, fullBytes)
                .isLessThan(fullBytes / 10);
        // Small files (a small delta, RocksDB's metadata files) are in the manifest, not objects of their own.
        List<CheckpointManifest.FileEntry> files = new ArrayList<>();
        for (CheckpointInfo info : incremental) {
            String partitionFolder = application + "/channels/counts/" + info.offsets().keySet().iterator().next() + "/";
            files.addAll(manifest(client, topic, partitionFolder + info.id() + "/" + CheckpointManifest.NAME).files());
        }
        assertThat(files).filteredOn(CheckpointManifest.FileEntry::isInline).isNotEmpty()
                .allMatch(file -> file.size() <= INLINE_THRESHOLD);
        assertThat(files).filteredOn(file -> file.size() <= INLINE_THRESHOLD).allMatch(CheckpointManifest.FileEntry::isInline);

        for (int round = 0; round < 18; round++) {
            produce(counter, topic, KEYS + KEYS / 100 + round * 500, 500);
            checkpoints.checkpoint().toCompletableFuture().get();
        }
        for (int partition = 0; partition < PARTITIONS; partition++) {
            String folder = application + "/channels/counts/" + topic + "-" + partition + "/";
            Set<String> stored = new HashSet<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(topic).prefix(folder)
                    .recursive(true).build())) {
                stored.add(item.get().objectName().substring(folder.length()));
            }
            Set<String> referenced = new HashSet<>();
            List<String> manifests = stored.stream().filter(name -> name.endsWith("/" + CheckpointManifest.NAME)).toList();
            assertThat(manifests).as("kept checkpoints of partition %d", partition).hasSize(3);
            for (String manifestName : manifests) {
                referenced.add(manifestName);
                String checkpointFolder = manifestName.substring(0, manifestName.lastIndexOf('/'));
                for (CheckpointManifest.FileEntry file : manifest(client, topic, folder + manifestName).files()) {
                    if (file.isShared()) {
                        referenced.add(file.location());
                    } else if (!file.isInline()) {
                        referenced.add(checkpointFolder + "/" + file.name());
                    }
                }
            }
            assertThat(stored).as("objects of partition %d", partition).isEqualTo(referenced);
        }
    }

    private static CheckpointManifest manifest(MinioClient client, String bucket, String object) throws Exception {
        try (var in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(object).build())) {
            return CheckpointManifest.fromJson(in.readAllBytes());
        }
    }

    /** Sends keys {@code from} to {@code from + count - 1} (modulo {@link #KEYS}) and waits until they are counted. */
    static void produce(Counter counter, String topic, int from, int count) {
        long target = counter.records() + count;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                String key = "key-" + (i % KEYS);
                producer.send(new ProducerRecord<>(topic, key, key));
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
