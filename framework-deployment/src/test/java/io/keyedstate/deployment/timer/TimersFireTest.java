package io.keyedstate.deployment.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.FiredTimer;
import io.keyedstate.KeyedState;
import io.keyedstate.OnTimer;
import io.keyedstate.TimeDomain;
import io.keyedstate.Timers;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Timers on the embedded broker: event-time timers fire as record timestamps move the watermark,
 * processing-time ones by the wall clock; each runs with its key's state and returns its result to
 * the handler's {@code @Outgoing} channel.
 */
class TimersFireTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(EventTimeSessions.class, ProcessingTimeSessions.class,
                    Summaries.class, Session.class, StuckOnce.class))
            .overrideRuntimeConfigKey("mp.messaging.incoming.event-clicks.auto.offset.reset", "earliest")
            .overrideRuntimeConfigKey("mp.messaging.incoming.processing-clicks.auto.offset.reset", "earliest")
            .overrideRuntimeConfigKey("quarkus.keyed-state.timers.out-of-orderness", "1s")
            .overrideRuntimeConfigKey("mp.messaging.incoming.stuck-clicks.auto.offset.reset", "earliest")
            .overrideRuntimeConfigKey("quarkus.keyed-state.timers.check-interval", "20ms")
            // Also how long a timer round waits for its methods' results.
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.timeout", "2s");

    @Inject
    Summaries summaries;

    @Inject
    StuckOnce stuckOnce;

    @Test
    void eventTimeTimersFireWhenTheWatermarkPassesThemWithTheirKeysState() {
        // Times from now: the broker deletes records older than its retention, and refuses those an hour ahead.
        long t = System.currentTimeMillis() / 1000 * 1000;
        send("event-clicks", "alice", t + 10_000);
        send("event-clicks", "alice", t + 12_000);
        send("event-clicks", "alice", t + 12_000); // the same timer again: one session, one summary
        send("event-clicks", "bob", t + 11_000);
        // The watermark is 1 s behind: at +42.5 s it passes bob's timer (+41 s), not alice's (+42 s).
        send("event-clicks", "carol", t + 42_500);
        await().atMost(Duration.ofSeconds(30)).until(() -> summaries.event().size() >= 1);
        String bob = "bob: 1 clicks, " + (t + 11_000) + "-" + (t + 11_000) + " (EVENT_TIME at " + (t + 41_000) + ")";
        assertThat(summaries.event()).containsExactly(bob);
        send("event-clicks", "carol", t + 44_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> summaries.event().size() >= 2);
        assertThat(summaries.event()).containsExactly(bob,
                "alice: 3 clicks, " + (t + 10_000) + "-" + (t + 12_000) + " (EVENT_TIME at " + (t + 42_000) + ")");
    }

    @Test
    void processingTimeTimersFireByTheWallClock() {
        send("processing-clicks", "dave", System.currentTimeMillis());
        send("processing-clicks", "dave", System.currentTimeMillis());
        await().atMost(Duration.ofSeconds(30)).until(() -> summaries.processing().size() >= 1);
        assertThat(summaries.processing()).singleElement().satisfies(summary -> assertThat(summary)
                .startsWith("dave: 2 clicks").contains("PROCESSING_TIME"));
    }

    @Test
    void aTimerWhoseResultNeverCompletesFiresAgainAfterTheRoundTimesOut() {
        send("stuck-clicks", "erin", System.currentTimeMillis());
        await().atMost(Duration.ofSeconds(30)).until(() -> stuckOnce.calls() >= 2);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> stuckOnce.calls() == 2);
    }

    private static void send(String topic, String user, long timestamp) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, timestamp, user, "click"));
        }
    }

    /**
     * A user's session, kept in one value state: clicks, first and last click time; closed by a timer
     * 30 s after the last click. Keyed state is declared per bean, so both beans use this through
     * their own fields.
     */
    record Session(int clicks, long first, long last) {
        static final long GAP = 30_000;

        /** The session after a click at {@code time}; the timer moves from {@code previous.last + GAP} to the result's. */
        static Session click(Session previous, long time) {
            return previous == null ? new Session(1, time, time)
                    : new Session(previous.clicks + 1, previous.first, Math.max(previous.last, time));
        }

        String summary(FiredTimer timer) {
            return timer.key() + ": " + clicks + " clicks, " + first + "-" + last + " (" + timer.domain() + " at "
                    + timer.time() + ")";
        }
    }

    @ApplicationScoped
    public static class EventTimeSessions {

        @KeyedState
        ValueState<Session> session;

        @KeyedState
        Timers timers;

        @Incoming("event-clicks")
        @Outgoing("event-sessions")
        String on(ConsumerRecord<String, String> click) {
            Session previous = session.get();
            Session next = Session.click(previous, click.timestamp());
            if (previous != null) {
                timers.deleteEventTimeTimer(previous.last() + Session.GAP);
            }
            timers.registerEventTimeTimer(next.last() + Session.GAP);
            session.set(next);
            return null; // nothing to send until the session closes
        }

        @OnTimer
        String onTimer(FiredTimer timer) {
            assertThat(timer.domain()).isEqualTo(TimeDomain.EVENT_TIME);
            String summary = session.get().summary(timer);
            session.clear();
            return summary;
        }
    }

    @ApplicationScoped
    public static class ProcessingTimeSessions {

        @KeyedState
        ValueState<Session> session;

        @KeyedState
        Timers timers;

        @Incoming("processing-clicks")
        @Outgoing("processing-sessions")
        String on(ConsumerRecord<String, String> click) {
            Session previous = session.get();
            // Closes half a second after the last click, not 30 s.
            Session next = Session.click(previous, System.currentTimeMillis() - Session.GAP + 500);
            if (previous != null) {
                timers.deleteProcessingTimeTimer(previous.last() + Session.GAP);
            }
            timers.registerProcessingTimeTimer(next.last() + Session.GAP);
            session.set(next);
            return null;
        }

        @OnTimer
        String onTimer(FiredTimer timer) {
            String summary = session.get().summary(timer);
            session.clear();
            return summary;
        }
    }

    /** Its first firing returns a stage that never completes, as a send that is never acknowledged. */
    @ApplicationScoped
    public static class StuckOnce {
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @KeyedState
        Timers timers;

        @Incoming("stuck-clicks")
        void on(String click) {
            timers.registerProcessingTimeTimer(timers.currentProcessingTime());
        }

        @OnTimer
        java.util.concurrent.CompletionStage<Void> fired() {
            return calls.incrementAndGet() == 1 ? new java.util.concurrent.CompletableFuture<>()
                    : java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        int calls() {
            return calls.get();
        }
    }

    @ApplicationScoped
    public static class Summaries {
        private final List<String> event = new CopyOnWriteArrayList<>();
        private final List<String> processing = new CopyOnWriteArrayList<>();

        @Incoming("event-sessions")
        void event(String summary) {
            event.add(summary);
        }

        @Incoming("processing-sessions")
        void processing(String summary) {
            processing.add(summary);
        }

        List<String> event() {
            return event;
        }

        List<String> processing() {
            return processing;
        }
    }
}
