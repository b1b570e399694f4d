package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Checkpoint storage goes away while words flow (its directory replaced by a plain file, which
 * fails writes even for root): processing goes on, failed checkpoints are counted, readiness
 * turns down only past {@code tolerable-failures}, and everything recovers when storage returns.
 * Words flow until the test has seen all of it.
 */
@QuarkusTest
class StorageOutageTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    private static final int TOLERABLE = 5;
    private static final Pattern STREAK = Pattern.compile("\"failed checkpoints in a row\"\\s*:\\s*(\\d+)");

    @Test
    void aStorageOutageFailsCheckpointsNotProcessing() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfig("heap", "only");
            // A second apart, a failed checkpoint's readiness is seen whatever the polling's pace.
            config.put("quarkus.keyed-state.checkpoint.interval", "1s");
            config.put("quarkus.keyed-state.checkpoint.tolerable-failures", Integer.toString(TOLERABLE));
            run.startProducing(100, 400);
            try (SampleAppProcess app = SampleAppProcess.start("app", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> app.log().contains("Checkpoint chk-") || !app.isAlive());
                assertThat(app.isAlive()).as("%s is running", app).isTrue();
                await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> status(app, "/q/health/ready") == 200);
                // Per shard, tagged with its channel and partition.
                assertThat(app.http("GET", "/q/metrics").body()).contains("keyed_state_checkpoint_duration_seconds_count{channel=\"",
                        "\",phase=\"sync\"}", "\",phase=\"async\"}", "keyed_state_checkpoint_size_bytes_sum{channel=\"",
                        "keyed_state_checkpoint_files_sum", "keyed_state_checkpoint_last_completed_id",
                        "keyed_state_checkpoint_last_completed_age_seconds", "keyed_state_restore_duration_seconds_count",
                        "keyed_state_restore_bytes_total");

                Path aside = run.checkpoints.resolveSibling(run.checkpoints.getFileName() + "-aside");
                run.suspendOffsetChecks(true);
                Files.move(run.checkpoints, aside);
                Files.writeString(run.checkpoints, "not a directory");
                // Every readiness answer agrees with the streak of failures it reports: up while at most
                // TOLERABLE checkpoints failed in a row, down past that. Both sides are seen.
                Set<String> seen = new HashSet<>();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    seen.add(readiness(app));
                    return seen.contains("tolerated") && seen.contains("down");
                });
                assertThat(app.metric("keyed_state_checkpoint_failures_total")).isGreaterThan(TOLERABLE);
                run.awaitNewCounts(500, Duration.ofMinutes(3), app); // processing goes on

                Files.delete(run.checkpoints);
                Files.move(aside, run.checkpoints);
                run.suspendOffsetChecks(false);
                await().atMost(Duration.ofMinutes(3)).until(() -> status(app, "/q/health/ready") == 200);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(3));
            }
        }
    }

    /**
     * Readiness during the outage, checked against the failure streak it reports: "up" (no failure
     * yet), "tolerated" (up, after 1 to TOLERABLE failures in a row) or "down" (past TOLERABLE).
     */
    private static String readiness(SampleAppProcess app) throws Exception {
        HttpResponse<String> response = app.http("GET", "/q/health/ready");
        Matcher streak = STREAK.matcher(response.body());
        assertThat(streak.find()).as("readiness reports its failure streak: %s", response.body()).isTrue();
        int failures = Integer.parseInt(streak.group(1));
        assertThat(response.statusCode()).as("readiness with %d checkpoints failed in a row (%d tolerated): %s", failures,
                TOLERABLE, response.body()).isEqualTo(failures <= TOLERABLE ? 200 : 503);
        return failures == 0 ? "up" : failures <= TOLERABLE ? "tolerated" : "down";
    }

    private static int status(SampleAppProcess app, String path) throws Exception {
        return app.http("GET", path).statusCode();
    }
}
