package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Checkpoint storage goes away while words flow (its directory replaced by a plain file, which
 * fails writes even for root): processing goes on, failed checkpoints are counted, readiness
 * turns down only past {@code tolerable-failures}, and everything recovers when storage returns.
 */
@QuarkusTest
class StorageOutageTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aStorageOutageFailsCheckpointsNotProcessing() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfig("heap", "only");
            config.put("quarkus.keyed-state.checkpoint.interval", "500ms");
            config.put("quarkus.keyed-state.checkpoint.tolerable-failures", "3");
            run.startProducing(100, 400);
            try (SampleAppProcess app = SampleAppProcess.start("app", config, run.logs)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> app.log().contains("Checkpoint chk-"));
                await().atMost(Duration.ofSeconds(30)).until(() -> status(app, "/q/health/ready") == 200);
                assertThat(app.http("GET", "/q/metrics").body()).contains("keyed_state_checkpoint_duration_seconds_count{phase=\"sync\"}",
                        "keyed_state_checkpoint_duration_seconds_count{phase=\"async\"}", "keyed_state_checkpoint_size_bytes_sum",
                        "keyed_state_checkpoint_files_sum", "keyed_state_checkpoint_last_completed_id",
                        "keyed_state_checkpoint_last_completed_age_seconds", "keyed_state_restore_duration_seconds_count",
                        "keyed_state_restore_bytes_total");

                Path aside = run.checkpoints.resolveSibling(run.checkpoints.getFileName() + "-aside");
                run.suspendOffsetChecks(true);
                Files.move(run.checkpoints, aside);
                Files.writeString(run.checkpoints, "not a directory");
                await().atMost(Duration.ofSeconds(30)).until(() -> app.metric("keyed_state_checkpoint_failures_total") >= 1);
                assertThat(status(app, "/q/health/ready")).as("one failure is tolerated").isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).until(() -> status(app, "/q/health/ready") == 503);
                assertThat(app.metric("keyed_state_checkpoint_failures_total")).isGreaterThan(3);
                long outputs = run.endOffsets(run.countsTopic);
                await().atMost(Duration.ofSeconds(30)).until(() -> run.endOffsets(run.countsTopic) > outputs + 500); // processing goes on

                Files.delete(run.checkpoints);
                Files.move(aside, run.checkpoints);
                run.suspendOffsetChecks(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> status(app, "/q/health/ready") == 200);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(2));
            }
        }
    }

    private static int status(SampleAppProcess app, String path) throws Exception {
        return app.http("GET", path).statusCode();
    }
}
