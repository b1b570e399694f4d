package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The packaged sample app, killed with {@code kill -9} at random moments while words flow, and
 * restarted each time: after the last restart every word's count is exact, and the consumer
 * group's committed offsets were never ahead of a durable checkpoint. A {@code @QuarkusTest} only
 * for the embedded broker its dev service starts, shared with the other tests of this JVM.
 */
@QuarkusTest
class CrashRecoveryTest {

    private static final int KILLS = 5;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Under target/, so that the apps' logs and checkpoints are there to read when a run fails. */
    private final Path workDir = Path.of("target", "recovery");

    @ParameterizedTest
    @CsvSource({ "heap, filesystem", "rocksdb, filesystem", "rocksdb, s3" })
    void countsAreExactAfterRepeatedKillNine(String backend, String storage) throws Exception {
        Random random = new Random();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = storage.equals("s3") ? run.appConfigOnS3(backend, "only", S3ProxyServer.shared())
                    : run.appConfig(backend, "only");
            // Static membership: a restarted instance takes its partitions back without waiting out the session.
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            run.startProducing(200, 400);
            for (int kill = 1; kill <= KILLS; kill++) {
                try (SampleAppProcess app = SampleAppProcess.start("app-" + kill, config, run.logs)) {
                    // However long it takes to start and restore: killed only once it is counting words and
                    // has completed a checkpoint of its own, so that restores start from ever newer ones.
                    run.awaitNewCounts(200, Duration.ofMinutes(3), app);
                    run.awaitNewCommits(run.group, run.wordsTopic, 200, Duration.ofMinutes(3), app);
                    Thread.sleep(random.nextInt(1_500)); // a random moment, between checkpoints or in one
                    assertThat(run.producing()).as("records still flow at kill %d", kill).isTrue();
                    app.kill();
                }
            }
            run.stopProducing();
            try (SampleAppProcess last = SampleAppProcess.start("app-last", config, run.logs)) {
                run.awaitExactCounts(Duration.ofMinutes(3));
                assertThat(last.log()).as(last.toString()).contains("Restored partition");
            }
        }
    }
}
