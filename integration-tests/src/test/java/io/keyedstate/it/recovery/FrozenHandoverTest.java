package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
 * Two instances on S3 with a one-second handover timeout. The store freezes, and one instance
 * leaves gracefully while its final checkpoints hang: it lets its partitions go without them. The
 * other takes them over, its restores waiting for the store. Once the store answers, the leaver's
 * late writes (it may still be shutting down) are abandoned before any manifest, and nobody
 * deleted what a kept checkpoint needs: every file every manifest references exists. After a
 * {@code kill -9} of the survivor and a restart, the counts are exact.
 */
@QuarkusTest
class FrozenHandoverTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aHandoverWhileStorageIsFrozenLosesNoFileAKeptCheckpointNeeds() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.startPrivate();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            run.startProducing(100, 300);
            try (SampleAppProcess a = SampleAppProcess.start("a", config(run, s3, "a"), run.logs);
                    SampleAppProcess b = SampleAppProcess.start("b", config(run, s3, "b"), run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> a.log().contains("Checkpoint chk-")
                        && b.log().contains("Checkpoint chk-") || !a.isAlive() || !b.isAlive());
                run.awaitNewCounts(300, Duration.ofMinutes(3), a, b);
                s3.freeze(true);
                CompletableFuture<Void> leaving = CompletableFuture.runAsync(() -> {
                    try {
                        b.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                try {
                    await().atMost(Duration.ofMinutes(2)).until(() -> b.log().contains("did not complete within PT1S"));
                    // a is given b's partitions and waits for the store to restore them.
                    await().atMost(Duration.ofMinutes(2)).until(() -> a.log().contains("Could not list"));
                } finally {
                    s3.freeze(false);
                }
                leaving.get();
                run.awaitNewCounts(300, Duration.ofMinutes(3), a);
                a.kill();
            }
            assertEveryReferencedFileExists(s3, run); // read while no instance runs, so no retention moves under it
            try (SampleAppProcess again = SampleAppProcess.start("a-again", config(run, s3, "a-again"), run.logs)) {
                run.awaitNewCounts(300, Duration.ofMinutes(3), again);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(3));
                again.stop();
            }
            assertEveryReferencedFileExists(s3, run);
        } finally {
            s3.stop();
        }
    }

    private static Map<String, String> config(WordCountRun run, S3ProxyServer s3, String instance) {
        Map<String, String> config = run.appConfigOnS3("rocksdb", instance, s3);
        config.put("quarkus.keyed-state.checkpoint.handover-timeout", "1s");
        config.put("quarkus.keyed-state.checkpoint.s3.request-timeout", "3s");
        config.put("quarkus.keyed-state.checkpoint.s3.attempts", "1");
        config.put("quarkus.keyed-state.checkpoint.restore-timeout", "3m");
        config.put("quarkus.keyed-state.checkpoint.inline-threshold", "0"); // every file an object of its own
        return config;
    }

    /** Each manifest in the bucket, of every partition, has every file it lists. */
    private static void assertEveryReferencedFileExists(S3ProxyServer s3, WordCountRun run) throws Exception {
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).region(s3.region())
                .credentials(s3.accessKey(), s3.secretKey()).build();
        String root = "run-" + run.id + "/quarkus-keyed-state-sample-app/";
        Set<String> objects = new HashSet<>();
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket("checkpoints").prefix(root)
                .recursive(true).build())) {
            objects.add(item.get().objectName());
        }
        int manifests = 0;
        for (String object : objects) {
            if (!object.endsWith("/" + CheckpointManifest.NAME) || object.contains("/savepoints/")) {
                continue;
            }
            String checkpoint = object.substring(0, object.lastIndexOf('/'));
            String partition = checkpoint.substring(0, checkpoint.lastIndexOf('/'));
            CheckpointManifest manifest;
            try (var in = client.getObject(GetObjectArgs.builder().bucket("checkpoints").object(object).build())) {
                manifest = CheckpointManifest.fromJson(in.readAllBytes());
            }
            manifests++;
            for (CheckpointManifest.FileEntry file : manifest.files()) {
                if (!file.isInline()) {
                    String stored = file.isShared() ? partition + "/" + file.location() : checkpoint + "/" + file.name();
                    assertThat(objects).as("a file %s references", object).contains(stored);
                }
            }
        }
        assertThat(manifests).isPositive();
    }
}
