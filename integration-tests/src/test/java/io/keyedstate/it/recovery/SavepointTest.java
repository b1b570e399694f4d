package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

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
            run.startProducing(100, 400);
            try (SampleAppProcess first = SampleAppProcess.start("first", config, run.logs)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> run.endOffsets(run.countsTopic) > 2_000);
                HttpResponse<String> savepoint = first.http("POST", "/q/keyed-state/savepoints/before-upgrade");
                assertThat(savepoint.statusCode()).as(savepoint.body()).isEqualTo(200);
                assertThat(savepoint.body()).contains("\"savepoint\" : true").contains(run.wordsTopic + "-3");
                String listed = first.http("GET", "/q/keyed-state/checkpoints").body();
                assertThat(listed).contains("\"savepoints/before-upgrade\"").contains("\"" + run.wordsTopic + "-0\"");
                await().atMost(Duration.ofMinutes(1)).until(() -> run.endOffsets(run.countsTopic) > 6_000); // checkpoints move past it
                first.kill();
            }
            assertThat(Files.list(run.checkpoints.resolve("quarkus-keyed-state-sample-app/savepoints/before-upgrade")))
                    .hasSize(12); // 4 word-count, 4 fraud-scoring and 4 click-session partitions

            config.put("quarkus.keyed-state.checkpoint.restore-from", "before-upgrade");
            try (SampleAppProcess restored = SampleAppProcess.start("from-savepoint", config, run.logs)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> restored.log().contains("from savepoint 'before-upgrade'"));
                await().atMost(Duration.ofMinutes(1)).until(() -> restored.log().contains("Checkpoint chk-"));
                Thread.sleep(1_500); // a checkpoint of every partition, descending from the savepoint
                restored.kill();
            }
            run.stopProducing();
            try (SampleAppProcess later = SampleAppProcess.start("later", config, run.logs)) {
                run.awaitExactCounts(Duration.ofMinutes(2));
                // The fraud-scoring partitions got no records, so no checkpoint descends from the savepoint
                // there: restoring it again is right. The word-count partitions continue from checkpoints.
                for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
                    assertThat(later.log()).contains("Restored partition " + run.wordsTopic + "-" + partition + " from chk-")
                            .doesNotContain(run.wordsTopic + "-" + partition + " from savepoint");
                }
            }
        }
    }
}
