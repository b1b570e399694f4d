package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The sample's click sessions in a {@link WordCountRun}. Clicks are 10 ms apart in timestamp, from
 * groups of users: each group clicks for 1,000 clicks (10 s of click time, a few seconds of wall
 * time), then goes quiet for good. So each user's clicks make one session whatever measures the
 * 30 s gap, and early groups' sessions end while the run goes on, through the kills. Clicks flow
 * until the test stops them; then a click far in the future on every partition moves the
 * event-time watermark past every session. Every user must get exactly its session: all its
 * clicks, first and last timestamps as written.
 */
final class SessionsCheck {

    static final String FLUSH_USER = "~flush";
    /**
     * Now, not a fixed date: the broker deletes records older than its retention (7 days), and
     * refuses those more than an hour ahead.
     */
    private final long start = System.currentTimeMillis();
    private volatile long lastClick;

    private final WordCountRun run;
    /** Per user, every summary read, duplicates included (timers fire at least once). */
    private final Map<String, List<String>> summaries = new ConcurrentHashMap<>();

    SessionsCheck(WordCountRun run) {
        this.run = run;
        run.daemon("sessions-reader-" + run.id, this::readSessions);
    }

    /**
     * Starts clicks by groups of {@code groupSize} users at about {@code perSecond}, in the
     * background, until {@link WordCountRun#stopProducing()}. Click time runs {@code perSecond / 100}
     * times the wall clock: the broker refuses records more than an hour ahead, far beyond any run.
     */
    void startProducing(int groupSize, int perSecond) {
        Random random = new Random(7);
        run.startFlow("clicks", perSecond, i -> {
            long at = start + 10L * i;
            lastClick = at;
            return new ProducerRecord<>(run.clicksTopic, null, at, "user-" + (i / 1_000 * groupSize
                    + random.nextInt(groupSize)), "/page-" + random.nextInt(10));
        });
    }

    /**
     * Once the clicks are stopped, a click a minute after the last one on every partition: its
     * watermark passes every session's end.
     */
    void flush() {
        requireStopped();
        try (var producer = new KafkaProducer<>(run.consumerProperties("unused"), new StringSerializer(),
                new StringSerializer())) {
            for (int p = 0; p < WordCountRun.PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(run.clicksTopic, p, lastClick + 60_000, FLUSH_USER, "/"));
            }
        }
    }

    private void requireStopped() {
        if (run.producing()) {
            throw new IllegalStateException("Stop the clicks (WordCountRun.stopProducing) first: the expected sessions"
                    + " are read from the clicks topic once, and must be the whole input");
        }
    }

    /**
     * Once the clicks are stopped and flushed, waits until every user's session was emitted, then
     * checks each against the clicks in the topic.
     */
    void awaitExactSessions(Duration timeout) {
        requireStopped();
        Map<String, long[]> clicks = new TreeMap<>(); // user -> {count, first, last}
        run.readTopic(run.clicksTopic, click -> {
            if (!click.key().equals(FLUSH_USER)) {
                clicks.merge(click.key(), new long[] { 1, click.timestamp(), click.timestamp() }, (a, b) -> new long[] {
                        a[0] + b[0], Math.min(a[1], b[1]), Math.max(a[2], b[2]) });
            }
        });
        Map<String, String> expected = new TreeMap<>();
        clicks.forEach((user, c) -> expected.put(user, "clicks=" + c[0] + " first=" + c[1] + " last=" + c[2]));
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .until(() -> summaries.keySet().containsAll(expected.keySet()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> missing = expected.keySet().stream().filter(user -> !summaries.containsKey(user)).toList();
            throw new AssertionError(missing.size() + " of " + expected.size() + " users have no session after " + timeout
                    + ": " + missing.subList(0, Math.min(10, missing.size())), e);
        }
        expected.forEach((user, session) -> assertThat(Set.copyOf(summaries.get(user)))
                .as("sessions of %s (duplicates allowed: timers fire at least once)", user).containsExactly(session));
        assertThat(summaries.keySet()).as("users with sessions").isSubsetOf(
                java.util.stream.Stream.concat(expected.keySet().stream(), java.util.stream.Stream.of(FLUSH_USER)).toList());
    }

    /** Summaries read so far, duplicates included. */
    long emitted() {
        return summaries.values().stream().mapToLong(List::size).sum();
    }

    /** Summaries read more than once: the at-least-once repeats of timers fired again after a crash. */
    long duplicates() {
        // The flush user has a session per partition, alike but not repeats.
        return summaries.entrySet().stream().filter(entry -> !entry.getKey().equals(FLUSH_USER))
                .mapToLong(entry -> entry.getValue().size() - Set.copyOf(entry.getValue()).size()).sum();
    }


    private void readSessions() {
        // Not the app's group "sessions-<id>": a member there joins its rebalances and shares its commits.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                run.consumerProperties("sessions-reader-" + run.id))) {
            consumer.subscribe(List.of(run.sessionsTopic));
            while (!run.isClosed()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    summaries.computeIfAbsent(record.key(), user -> new CopyOnWriteArrayList<>()).add(record.value());
                }
            }
        }
    }
}
