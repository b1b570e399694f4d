package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The S3 server is frozen while an instance starts and restores its partitions: the restore takes
 * the timeouts for an outage, not for damage, and waits; once the server answers again every
 * partition is restored from its newest checkpoint (none is passed over, none starts empty) and
 * the counts are exact.
 */
@QuarkusTest
class S3FrozenDuringRestoreTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aRestoreWaitsForAFrozenStoreAndThenRestoresExactly() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.startPrivate();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfigOnFreezingS3(s3, "3m");
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            run.startProducing(100, 400);
            run.checkpointEveryPartitionThenKill(config);
            s3.freeze(true);
            try (SampleAppProcess second = SampleAppProcess.start("second", config, run.logs)) {
                try {
                    // Every partition waits at once: the restores of an assignment run side by side.
                    await().atMost(Duration.ofMinutes(2)).until(() -> java.util.stream.IntStream
                            .range(0, WordCountRun.PARTITIONS).allMatch(partition -> second.log().contains(
                                    "Could not list quarkus-keyed-state-sample-app/channels/words/" + run.wordsTopic + "-"
                                            + partition + " ")));
                } finally {
                    s3.freeze(false);
                }
                run.awaitNewCounts(500, Duration.ofMinutes(3), second);
                run.stopProducing();
                run.awaitExactCounts(Duration.ofMinutes(3));
                String log = second.log();
                for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
                    assertThat(log).contains("Restored partition " + run.wordsTopic + "-" + partition + " from chk-");
                }
                assertThat(log).doesNotContain("has checkpoints in").doesNotContain("trying the one before");
            }
        } finally {
            s3.stop();
        }
    }
}
