package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The sample's session job (a session ends after 30 s without a click), packaged, killed with
 * {@code kill -9} three times while clicks flow and restarted each time: every user's session is
 * emitted, with exactly its clicks, whether timers run on event time or processing time, on either
 * backend. Timers pending at a crash come back from the checkpoint and fire after the restart. On
 * processing time, the last kill comes once every click is processed and checkpointed (a user
 * whose clicks straddled a long stop would rightly get two sessions), and the app then stays down
 * while timers come due: they fire after the restore.
 */
@QuarkusTest
class SessionRecoveryTest {

    private static final Logger LOG = Logger.getLogger(SessionRecoveryTest.class);
    private static final int KILLS = 3;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @ParameterizedTest
    @CsvSource({ "heap, event-time", "rocksdb, event-time", "heap, processing-time", "rocksdb, processing-time" })
    void everySessionIsEmittedExactlyAfterRepeatedKillNine(String backend, String time) throws Exception {
        Random random = new Random();
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            SessionsCheck sessions = new SessionsCheck(run);
            Map<String, String> config = run.appConfig(backend, "only");
            config.put("app.sessions.time", time);
            config.put("mp.messaging.incoming.clicks.group.instance.id", "sessions-" + run.id);
            sessions.startProducing(30, 300);
            boolean processingTime = time.equals("processing-time");
            for (int kill = 1; kill <= KILLS; kill++) {
                SampleAppProcess app = SampleAppProcess.start("app-" + kill, config, run.logs);
                await().atMost(Duration.ofMinutes(1)).until(() -> app.log().contains("Listening on") || !app.isAlive());
                assertThat(app.isAlive()).as("%s is running", app).isTrue();
                if (processingTime && kill == KILLS) {
                    run.stopProducing();
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                            .until(() -> run.committedToEnd("sessions-" + run.id, run.clicksTopic));
                    app.kill();
                    continue;
                }
                Thread.sleep(1_000 + random.nextInt(1_500));
                app.kill();
                assertThat(run.producing()).as("clicks still flow at kill %d", kill).isTrue();
            }
            run.stopProducing(); // done killing (on processing time, stopped before the last kill)
            long beforeLast = sessions.emitted();
            if (processingTime) {
                // Down for 20 s: the sessions of groups replayed by the previous instance come due meanwhile
                // (30 s after it handled them), and their timers fire after the restore.
                Thread.sleep(20_000);
            } else {
                // Click time runs 3x the wall clock here: early groups' sessions ended between kills.
                assertThat(beforeLast).as("sessions emitted before the last restart").isPositive();
            }
            try (SampleAppProcess last = SampleAppProcess.start("app-last", config, run.logs)) {
                sessions.flush();
                sessions.awaitExactSessions(Duration.ofMinutes(2));
                assertThat(last.log()).as(last.toString()).contains("Restored partition");
                LOG.infof("%s, %s: every session exact; %d emitted before the last restart, %d repeated by timers fired"
                        + " again after a crash", backend, time, beforeLast, sessions.duplicates());
            }
        }
    }
}
