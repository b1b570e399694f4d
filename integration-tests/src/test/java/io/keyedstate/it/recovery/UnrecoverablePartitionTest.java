package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every checkpoint of one partition is damaged while the app is down. By default the partition is
 * not processed: no word of it is counted from zero, the ERROR names each checkpoint tried,
 * readiness is DOWN, the other partitions go on, and nothing of it is committed or checkpointed,
 * not even on a graceful stop. Restarted with {@code unrecoverable-shard=reprocess}, the partition
 * is read again from its beginning and every count is exact.
 */
@QuarkusTest
class UnrecoverablePartitionTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @ParameterizedTest
    @CsvSource({ "heap, garbled-manifests", "rocksdb, lost-shared-file" })
    void aPartitionWithOnlyDamagedCheckpointsIsNeverCountedFromZero(String backend, String damage) throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfig(backend, "only");
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            config.put("quarkus.keyed-state.checkpoint.inline-threshold", "0"); // every file an object of its own
            run.startProducing(100, 400);
            try (SampleAppProcess first = SampleAppProcess.start("first", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> run.checkpointsOf(0).size() >= 2 || !first.isAlive());
                run.stopProducing();
                await().atMost(Duration.ofMinutes(3)).until(() -> run.committedToEnd(run.group, run.wordsTopic)
                        || !first.isAlive());
                assertThat(first.isAlive()).as("%s is running", first).isTrue();
                first.kill();
            }
            run.suspendOffsetChecks(true); // damaged manifests on disk say nothing about durability
            List<Path> damaged = run.checkpointsOf(0);
            assertThat(damaged).isNotEmpty();
            for (Path checkpoint : damaged) {
                damage(checkpoint, damage);
            }
            TopicPartition words0 = new TopicPartition(run.wordsTopic, 0);
            long committedBefore = run.committedOffsets().get(words0);
            long countsBefore = endOffset(run, new TopicPartition(run.countsTopic, 0));

            run.startProducing(100, 400);
            try (SampleAppProcess second = SampleAppProcess.start("second", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> second.log().contains("ERROR")
                        && second.log().contains("Partition " + run.wordsTopic + "-0 has checkpoints"));
                String log = second.log();
                assertThat(log).contains("none of them can be restored").contains("unrecoverable-shard=reprocess");
                damaged.forEach(checkpoint -> assertThat(log).contains("  - " + checkpoint.getFileName()));
                await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
                    HttpResponse<String> ready = second.http("GET", "/q/health/ready");
                    return ready.statusCode() == 503 && ready.body().contains("unrecoverable " + run.wordsTopic + "-0");
                });
                // The other partitions go on to the end of their input.
                run.awaitNewCounts(500, Duration.ofMinutes(3), second);
                run.stopProducing();
                await().atMost(Duration.ofMinutes(3)).until(() -> othersCommittedToEnd(run));
                assertThat(endOffset(run, new TopicPartition(run.countsTopic, 0))).as("counts of partition 0")
                        .isEqualTo(countsBefore);
                second.stop(); // a graceful stop hands over no checkpoint of it
            }
            assertThat(run.committedOffsets().get(words0)).isEqualTo(committedBefore);
            assertThat(run.checkpointsOf(0)).as("checkpoints of partition 0").isEqualTo(damaged);

            config.put("quarkus.keyed-state.checkpoint.unrecoverable-shard", "reprocess");
            try (SampleAppProcess third = SampleAppProcess.start("reprocess", config, run.logs)) {
                run.awaitExactCounts(Duration.ofMinutes(3));
                assertThat(third.log()).contains("Partition " + run.wordsTopic + "-0 has checkpoints")
                        .contains("read again from its beginning");
            }
        }
    }

    private static void damage(Path checkpoint, String damage) throws IOException {
        Path manifest = checkpoint.resolve(CheckpointManifest.NAME);
        if (damage.equals("garbled-manifests")) {
            Files.writeString(manifest, "{\"format\": 1, \"id\": garbled", StandardCharsets.UTF_8);
            return;
        }
        CheckpointManifest parsed = CheckpointManifest.fromJson(Files.readAllBytes(manifest));
        CheckpointManifest.FileEntry shared = parsed.files().stream().filter(CheckpointManifest.FileEntry::isShared)
                .findFirst().orElseThrow(() -> new AssertionError(checkpoint + " shares no file"));
        Files.deleteIfExists(checkpoint.resolveSibling(shared.location()));
    }

    private static boolean othersCommittedToEnd(WordCountRun run) throws Exception {
        Map<TopicPartition, Long> committed = run.committedOffsets();
        for (int partition = 1; partition < WordCountRun.PARTITIONS; partition++) {
            TopicPartition words = new TopicPartition(run.wordsTopic, partition);
            if (committed.getOrDefault(words, -1L) < endOffset(run, words)) {
                return false;
            }
        }
        return true;
    }

    private static long endOffset(WordCountRun run, TopicPartition partition) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(run.consumerProperties("end-" + run.id))) {
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }
}
