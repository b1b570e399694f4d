package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.keyedstate.testing.S3ProxyServer;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The S3 server freezes in the middle of checkpoints (RocksDB, incremental): those checkpoints
 * fail, processing goes on, the first checkpoint after the server returns succeeds, and the
 * bucket then holds nothing that no kept checkpoint needs.
 */
@QuarkusTest
class S3OutageTest {

    private static final String LAST_ID = "keyed_state_checkpoint_last_completed_id";
    private static final String FAILURES = "keyed_state_checkpoint_failures_total";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aFrozenStoreFailsCheckpointsAndLeavesNoOrphans() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.startPrivate();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfigOnS3("rocksdb", "only", s3);
            config.put("quarkus.keyed-state.checkpoint.interval", "500ms");
            config.put("quarkus.keyed-state.checkpoint.s3.request-timeout", "2s");
            config.put("quarkus.keyed-state.checkpoint.s3.attempts", "1");
            run.startProducing(100, 400);
            try (SampleAppProcess app = SampleAppProcess.start("app", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> !app.isAlive()
                        || app.metric(LAST_ID) >= 2);
                assertThat(app.isAlive()).as("%s is running", app).isTrue();
                s3.freeze(true);
                try {
                    await().atMost(Duration.ofMinutes(3)).until(() -> app.metric(FAILURES) >= 1);
                    run.awaitNewCounts(500, Duration.ofMinutes(3), app); // processing goes on
                } finally {
                    s3.freeze(false);
                }
                long failed = app.metric(FAILURES);
                long last = app.metric(LAST_ID);
                await().atMost(Duration.ofMinutes(3)).until(() -> app.metric(LAST_ID) > last + 1);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(3));
                app.stop(); // the handover's final checkpoints complete, so nothing is in flight

                assertThat(failed).isPositive();
                assertOnlyKeptCheckpointsAndTheirFilesIn(s3, run);
            }
        } finally {
            s3.stop();
        }
    }

    /** Every object is a file of a complete checkpoint, or a shared file one of them references. */
    private static void assertOnlyKeptCheckpointsAndTheirFilesIn(S3ProxyServer s3, WordCountRun run) throws Exception {
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).region(s3.region())
                .credentials(s3.accessKey(), s3.secretKey()).build();
        String root = "run-" + run.id + "/quarkus-keyed-state-sample-app/channels/words/" + run.wordsTopic + "-";
        for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
            String folder = root + partition + "/";
            Set<String> objects = new HashSet<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket("checkpoints").prefix(folder)
                    .recursive(true).build())) {
                objects.add(item.get().objectName().substring(folder.length()));
            }
            Set<String> needed = new HashSet<>();
            Set<String> checkpointFolders = new HashSet<>();
            for (String object : objects) {
                if (object.endsWith("/" + CheckpointManifest.NAME)) {
                    String checkpoint = object.substring(0, object.indexOf('/'));
                    checkpointFolders.add(checkpoint);
                    try (var in = client.getObject(GetObjectArgs.builder().bucket("checkpoints").object(folder + object)
                            .build())) {
                        CheckpointManifest manifest = CheckpointManifest.fromJson(in.readAllBytes());
                        manifest.files().forEach(file -> needed.add(file.isShared() ? file.location()
                                : checkpoint + "/" + file.name()));
                        needed.add(object);
                    }
                }
            }
            Set<String> unneeded = new HashSet<>(objects);
            unneeded.removeAll(needed);
            assertThat(unneeded).as("objects of partition %d that no kept checkpoint needs", partition).isEmpty();
            assertThat(checkpointFolders).hasSizeBetween(1, 3);
        }
    }
}
