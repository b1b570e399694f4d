package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A savepoint taken through the management endpoint, listed there, and started from by
 * configuration: the first start restores the savepoint (replaying the records after it), later
 * starts continue from the checkpoints that descend from it, and the counts stay exact.
 */
@QuarkusTest
class SavepointTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void anApplicationStartsFromANamedSavepointOnce() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfig("rocksdb", "only");
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            Path savepoints = run.checkpoints.resolve("quarkus-keyed-state-sample-app/savepoints/before-upgrade");
            run.startProducing(100, 400);
            try (SampleAppProcess first = SampleAppProcess.start("first", config, run.logs)) {
                run.awaitNewCounts(2_000, Duration.ofMinutes(3), first);
                HttpResponse<String> savepoint = first.http("POST", "/q/keyed-state/savepoints/before-upgrade");
                assertThat(savepoint.statusCode()).as(savepoint.body()).isEqualTo(200);
                assertThat(savepoint.body()).contains("\"savepoint\" : true").contains(run.wordsTopic + "-3");
                String listed = first.http("GET", "/q/keyed-state/checkpoints").body();
                assertThat(listed).contains("\"savepoints/before-upgrade\"")
                        .contains("\"channels/words/" + run.wordsTopic + "-0\"");
                // Checkpoints move past it: every word partition has one that holds records after the savepoint.
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> allWordPartitions(
                        partition -> offset(newestCheckpoint(run, partition), run, partition)
                                > offset(manifest(savepoints.resolve("channels/words/" + run.wordsTopic + "-" + partition)), run,
                                        partition))
                        || !first.isAlive());
                assertThat(first.isAlive()).as("%s is running", first).isTrue();
                first.kill();
            }
            try (var manifests = Files.walk(savepoints)) { // 4 word-count, 4 fraud-scoring and 4 click-session partitions
                assertThat(manifests.filter(file -> file.getFileName().toString().equals(CheckpointManifest.NAME))).hasSize(12);
            }

            config.put("quarkus.keyed-state.checkpoint.restore-from", "before-upgrade");
            try (SampleAppProcess restored = SampleAppProcess.start("from-savepoint", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> restored.log().contains("from savepoint 'before-upgrade'")
                        || !restored.isAlive());
                // A checkpoint of every word partition, descending from the savepoint, on disk.
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> allWordPartitions(
                        partition -> "before-upgrade".equals(origin(newestCheckpoint(run, partition))))
                        || !restored.isAlive());
                assertThat(restored.isAlive()).as("%s is running", restored).isTrue();
                assertThat(run.producing()).as("records still flow when the restored instance is killed").isTrue();
                restored.kill();
            }
            run.stopProducing();
            try (SampleAppProcess later = SampleAppProcess.start("later", config, run.logs)) {
                run.awaitExactCounts(Duration.ofMinutes(3));
                // The fraud-scoring partitions got no records, so no checkpoint descends from the savepoint
                // there: restoring it again is right. The word-count partitions continue from checkpoints.
                for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
                    assertThat(later.log()).contains("Restored partition " + run.wordsTopic + "-" + partition + " from chk-")
                            .doesNotContain(run.wordsTopic + "-" + partition + " from savepoint");
                }
            }
        }
    }

    private interface PartitionCheck {
        boolean holds(int partition) throws IOException;
    }

    private static boolean allWordPartitions(PartitionCheck check) throws IOException {
        for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
            if (!check.holds(partition)) {
                return false;
            }
        }
        return true;
    }

    /** The manifest of the newest complete checkpoint of a word partition, null if it has none (yet). */
    private static CheckpointManifest newestCheckpoint(WordCountRun run, int partition) throws IOException {
        List<Path> checkpoints = run.checkpointsOf(partition);
        return checkpoints.isEmpty() ? null : manifest(checkpoints.get(checkpoints.size() - 1));
    }

    /** Null if retention deleted the folder meanwhile. */
    private static CheckpointManifest manifest(Path folder) throws IOException {
        try {
            return CheckpointManifest.fromJson(Files.readAllBytes(folder.resolve(CheckpointManifest.NAME)));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The offset of its word partition that {@code manifest} records; -1 if none (or no manifest). */
    private static long offset(CheckpointManifest manifest, WordCountRun run, int partition) {
        return manifest == null ? -1 : manifest.offsets().getOrDefault(run.wordsTopic + "-" + partition, -1L);
    }

    private static String origin(CheckpointManifest manifest) {
        return manifest == null ? null : manifest.origin();
    }
}
