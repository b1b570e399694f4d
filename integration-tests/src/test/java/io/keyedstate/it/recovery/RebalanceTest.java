package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Two instances of the sample app in one consumer group while words flow. One leaves gracefully
 * (its partitions are handed over with a final checkpoint), comes back (partitions move back),
 * then the other is killed with {@code kill -9} (its partitions are restored from the last
 * checkpoints by the survivor): the final counts are exact, and so is every click session, closed
 * by timers that moved with their partitions.
 */
@QuarkusTest
class RebalanceTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void partitionsMoveBetweenInstancesWithExactState() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            SessionsCheck sessions = new SessionsCheck(run); // timers move with their partitions too
            run.startProducing(200, 400);
            sessions.startProducing(30, 250);
            try (SampleAppProcess a = SampleAppProcess.start("a", run.appConfig("heap", "a"), run.logs);
                    SampleAppProcess b = SampleAppProcess.start("b", run.appConfig("heap", "b"), run.logs)) {
                // Both in the group, b with word partitions of its own, before it leaves.
                await().atMost(Duration.ofMinutes(3)).until(() -> b.log().contains("Channel 'words' owns")
                        && a.log().contains("Channel 'words' owns") || !a.isAlive() || !b.isAlive());
                run.awaitNewCounts(500, Duration.ofMinutes(3), a, b);
                b.stop();
                assertThat(b.log()).as(b.toString()).contains("Checkpoint chk-");
                run.awaitNewCounts(500, Duration.ofMinutes(3), a); // a goes on alone
                try (SampleAppProcess back = SampleAppProcess.start("b-again", run.appConfig("heap", "b-again"), run.logs)) {
                    await().atMost(Duration.ofMinutes(3)).until(() -> back.log().contains("Restored partition")
                            || !back.isAlive());
                    run.awaitNewCounts(500, Duration.ofMinutes(3), a, back);
                    assertThat(run.producing()).as("records still flow when the first instance is killed").isTrue();
                    a.kill();
                    // Input still flows while the survivor goes on and, after the session timeout, takes a's
                    // partitions over; the exact counts below need them restored.
                    run.awaitNewCounts(500, Duration.ofMinutes(3), back);
                    run.stopProducing();
                    run.awaitExactCounts(Duration.ofMinutes(3));
                    sessions.flush();
                    sessions.awaitExactSessions(Duration.ofMinutes(3));
                    assertThat(a.log()).as(a.toString()).contains("Restored partition"); // took b's partitions over
                }
            }
        }
    }
}
