package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Restores run in the background, never in the consumer's rebalance callback: while one instance
 * waits for a frozen S3 server to restore its partitions, a second instance joins the group and
 * gets partitions of its own without waiting for the first one's restores; the restores of the
 * partitions the rebalance gives back to the first go on; and the first keeps its place in the
 * group for longer than {@code max.poll.interval.ms}. Once the server answers, both restore
 * exactly.
 */
@QuarkusTest
class RebalanceDuringFrozenRestoreTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aGroupRebalancesWhileARestoreWaitsForAFrozenStore() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.startPrivate();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfigOnFreezingS3(s3, "5m");
            // A restore may outlast the poll interval: the consumer goes on polling while it runs.
            config.put("mp.messaging.incoming.words.max.poll.interval.ms", "10000");
            config.put("quarkus.keyed-state.checkpoint.handover-timeout", "5s");
            run.startProducing(100, 400);
            run.checkpointEveryPartitionThenKill(config);
            s3.freeze(true);
            Map<String, String> secondConfig = new HashMap<>(config);
            secondConfig.put("mp.messaging.incoming.words.group.instance.id", "second-" + run.id);
            Map<String, String> thirdConfig = new HashMap<>(config);
            thirdConfig.put("mp.messaging.incoming.words.group.instance.id", "third-" + run.id);
            try (SampleAppProcess second = SampleAppProcess.start("second", secondConfig, run.logs)) {
                try {
                    await().atMost(Duration.ofMinutes(2)).until(() -> IntStream.range(0, WordCountRun.PARTITIONS)
                            .allMatch(partition -> second.log().contains(listing(run, partition))));
                    try (SampleAppProcess third = SampleAppProcess.start("third", thirdConfig, run.logs)) {
                        // The group hands the newcomer partitions while the first instance's restores still wait.
                        await().atMost(Duration.ofMinutes(2)).until(() -> IntStream.range(0, WordCountRun.PARTITIONS)
                                .anyMatch(partition -> third.log().contains(listing(run, partition))));
                        // The rebalance revoked all of the first instance's partitions and gave some back:
                        // their restores went on rather than starting over.
                        await().atMost(Duration.ofMinutes(1)).until(() -> second.log()
                                .contains("of channel 'words' comes back while its restore still runs"));
                        // And the first instance, still restoring, stays in the group past its poll interval.
                        long since = System.nanoTime();
                        await().atMost(Duration.ofMinutes(2)).until(() -> System.nanoTime() - since > 12_000_000_000L
                                && retries(second.log()) > 0);
                        s3.freeze(false);
                        run.awaitNewCounts(500, Duration.ofMinutes(3), second, third);
                        run.stopProducing();
                        run.awaitExactCounts(Duration.ofMinutes(3));
                        assertThat(second.log() + third.log()).doesNotContain("has checkpoints in")
                                .doesNotContain("this instance was dropped from its group")
                                .doesNotContain("consumer poll timeout has expired");
                    }
                } finally {
                    s3.freeze(false);
                }
            }
        } finally {
            s3.stop();
        }
    }

    private static String listing(WordCountRun run, int partition) {
        return "Could not list quarkus-keyed-state-sample-app/channels/words/" + run.wordsTopic + "-" + partition + " ";
    }

    private static long retries(String log) {
        return log.lines().filter(line -> line.contains("Could not list")).count();
    }
}
