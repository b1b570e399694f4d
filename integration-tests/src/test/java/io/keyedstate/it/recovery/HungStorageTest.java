package io.keyedstate.it.recovery;

import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The S3 server hangs (frozen) while its client would wait a minute for an answer: each
 * checkpoint fails at {@code checkpoint.timeout}, long before the request would time out, and
 * counts as a failure of its partition; a partition whose records go uncheckpointed for
 * {@code unhealthy-after-intervals} intervals turns readiness DOWN, naming it. Once the server
 * answers, checkpoints complete again, readiness comes back and the counts are exact.
 */
@QuarkusTest
class HungStorageTest {

    private static final String FAILURES = "keyed_state_checkpoint_failures_total";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aHangingWriteFailsTheCheckpointAtItsTimeoutAndAStuckPartitionShows() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.startPrivate();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfigOnS3("heap", "only", s3);
            config.put("quarkus.keyed-state.checkpoint.s3.request-timeout", "2m");
            config.put("quarkus.keyed-state.checkpoint.s3.attempts", "1");
            config.put("quarkus.keyed-state.checkpoint.timeout", "3s");
            config.put("quarkus.keyed-state.checkpoint.tolerable-failures", "1000"); // readiness goes DOWN for staleness only
            config.put("quarkus.keyed-state.checkpoint.unhealthy-after-intervals", "5");
            run.startProducing(100, 400);
            try (SampleAppProcess app = SampleAppProcess.start("app", config, run.logs)) {
                await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> ready(app).statusCode() == 200
                        && app.log().contains("Checkpoint chk-"));
                s3.freeze(true);
                try {
                    // Well before the two-minute request timeout: the checkpoint timeout ended them.
                    await().atMost(Duration.ofSeconds(90)).until(() -> app.metric(FAILURES) >= 1
                            && app.log().contains("did not complete within PT3S"));
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        HttpResponse<String> ready = ready(app);
                        return ready.statusCode() == 503 && ready.body().contains("no checkpoint for " + run.wordsTopic);
                    });
                } finally {
                    s3.freeze(false);
                }
                await().atMost(Duration.ofMinutes(3)).until(() -> ready(app).statusCode() == 200);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(3));
            }
        } finally {
            s3.stop();
        }
    }

    private static HttpResponse<String> ready(SampleAppProcess app) throws Exception {
        return app.http("GET", "/q/health/ready");
    }
}
