package io.keyedstate.deployment.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * A batched handler that fails on a record in the middle of a poll: the channel's failure
 * strategy acts on that record alone. {@code ignore} and {@code dead-letter-queue} go on with the
 * records after it (the second writes it to the dead-letter topic); {@code fail} handles nothing
 * after it, in that poll or any later one.
 */
class FailureInABatchTest {

    static final List<String> CHANNELS = List.of("failing", "ignoring", "dead-lettering");

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handler.class, BatchedHandlers.class))
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.failing.topic", "batch-failing")
            .overrideConfigKey("mp.messaging.incoming.failing.failure-strategy", "fail")
            .overrideConfigKey("mp.messaging.incoming.ignoring.topic", "batch-ignoring")
            .overrideConfigKey("mp.messaging.incoming.ignoring.failure-strategy", "ignore")
            .overrideConfigKey("mp.messaging.incoming.dead-lettering.topic", "batch-dead-lettering")
            .overrideConfigKey("mp.messaging.incoming.dead-lettering.failure-strategy", "dead-letter-queue")
            .overrideConfigKey("mp.messaging.incoming.dead-lettering.dead-letter-queue.topic", "batch-dead-letters");

    @Inject
    Handler handler;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void theStrategyActsOnTheFailedRecordOnly() throws Exception {
        // In one partition, so that they come in this order; "poison" makes the handler throw.
        List<String> before = List.of("a", "b", "a", "poison", "b", "a");
        send(before);
        await().atMost(Duration.ofMinutes(1)).until(() -> handler.seen("ignoring").size() == 5
                && handler.seen("dead-lettering").size() == 5);
        assertThat(handler.seen("ignoring")).containsExactly("a1", "b1", "a2", "b2", "a3");
        assertThat(handler.seen("dead-lettering")).containsExactly("a1", "b1", "a2", "b2", "a3");
        assertThat(deadLetters()).containsExactly("poison");

        // Later records reach the channels that go on, never the failed one.
        send(List.of("b", "a"));
        await().atMost(Duration.ofMinutes(1)).until(() -> handler.seen("ignoring").size() == 7
                && handler.seen("dead-lettering").size() == 7);
        assertThat(handler.seen("ignoring")).endsWith("b3", "a4");
        assertThat(handler.seen("failing")).containsExactly("a1", "b1", "a2");
        assertThat(ConfigProvider.getConfig().getOptionalValue("mp.messaging.incoming.failing.batch", Boolean.class))
                .as("the handler runs batched").contains(true);
    }

    private void send(List<String> values) {
        List<String> topics = CHANNELS.stream().map(channel -> ConfigProvider.getConfig()
                .getValue("mp.messaging.incoming." + channel + ".topic", String.class)).toList();
        BatchedHandlers.sendInOnePoll(bootstrapServers, topics, values, value -> value.equals("poison") ? "a" : value);
    }

    private List<String> deadLetters() {
        return BatchedHandlers.read(bootstrapServers, "batch-dead-letters", 1).stream().map(record -> record.value()).toList();
    }

    @ApplicationScoped
    public static class Handler {

        @KeyedState
        ValueState<Long> count;

        private final Map<String, List<String>> seen = new ConcurrentHashMap<>();

        List<String> seen(String channel) {
            return seen.getOrDefault(channel, List.of());
        }

        private void on(String channel, Record<String, String> record) {
            if (record.value().equals("poison")) {
                throw new IllegalArgumentException("poison");
            }
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            seen.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(record.value() + n);
        }

        @Incoming("failing")
        void failing(Record<String, String> record) {
            on("failing", record);
        }

        @Incoming("ignoring")
        void ignoring(Record<String, String> record) {
            on("ignoring", record);
        }

        @Incoming("dead-lettering")
        void deadLettering(Record<String, String> record) {
            on("dead-lettering", record);
        }
    }
}
