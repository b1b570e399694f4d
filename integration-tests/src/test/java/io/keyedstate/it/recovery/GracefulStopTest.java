package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A graceful stop hands the partitions over with a final checkpoint: with a checkpoint interval
 * that never comes due, everything the app processed is committed when it stops, and a restart
 * restores it and replays nothing, so the counts topic holds exactly one count per word, however
 * often the app stopped.
 */
@QuarkusTest
class GracefulStopTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aGracefulStopCommitsWhatItProcessedAndTheRestartReplaysNothing() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            long committedAtStop = 0;
            for (String instance : new String[] { "first", "second" }) {
                Map<String, String> config = run.appConfig("rocksdb", instance);
                config.put("quarkus.keyed-state.checkpoint.interval", "1h"); // only a stop's final checkpoint commits
                run.startProducing(50, 200);
                try (SampleAppProcess app = SampleAppProcess.start(instance, config, run.logs)) {
                    run.awaitNewCounts(300, Duration.ofMinutes(3), app);
                    run.stopProducing();
                    await().atMost(Duration.ofMinutes(3)).until(() -> run.endOffsets(run.countsTopic) == run
                            .endOffsets(run.wordsTopic) || !app.isAlive());
                    assertThat(run.committed(run.group, run.wordsTopic)).as("committed while %s runs", app)
                            .isEqualTo(committedAtStop);
                    app.stop();
                    assertThat(run.committedToEnd(run.group, run.wordsTopic)).as("%s committed everything it processed"
                            + " when it stopped", app).isTrue();
                    committedAtStop = run.committed(run.group, run.wordsTopic);
                }
            }
            run.awaitExactCounts(Duration.ofMinutes(1));
            assertThat(run.endOffsets(run.countsTopic)).as("one count per word: no record was processed twice")
                    .isEqualTo(run.endOffsets(run.wordsTopic));
        }
    }
}
