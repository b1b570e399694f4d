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

import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * A batched handler whose result for a record cannot be written fails that record, under the
 * channel's failure strategy, as a failure of the handler would: a result larger than the
 * producer takes (reported through the send's callback) and one the serializer refuses (thrown by
 * the send). {@code ignore} and {@code dead-letter-queue} go on and commit the inputs to their end;
 * {@code fail} handles nothing after the record and never commits past it.
 */
class FailedOutputInABatchTest {

    static final List<String> CHANNELS = List.of("out-failing", "out-ignoring", "out-dead-lettering");
    /** Keys and values, in one partition; "huge" and "mistyped" get results that cannot be written. */
    static final List<String> INPUT = List.of("a", "b", "huge", "a", "mistyped", "b");

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handler.class, BatchedHandlers.class))
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.auto.offset.reset", "earliest")
            // A group per channel: the failing channel's consumer leaves its group without a final checkpoint
            .overrideConfigKey("mp.messaging.incoming.out-failing.group.id", "out-failing")
            .overrideConfigKey("mp.messaging.incoming.out-ignoring.group.id", "out-ignoring")
            .overrideConfigKey("mp.messaging.incoming.out-dead-lettering.group.id", "out-dead-lettering")
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.propagate-record-key", "true")
            .overrideConfigKey("quarkus.keyed-state.checkpoint.interval", "1s")
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.value.serializer", StringSerializer.class.getName())
            .overrideConfigKey("mp.messaging.incoming.out-failing.failure-strategy", "fail")
            .overrideConfigKey("mp.messaging.incoming.out-ignoring.failure-strategy", "ignore")
            .overrideConfigKey("mp.messaging.incoming.out-dead-lettering.failure-strategy", "dead-letter-queue")
            .overrideConfigKey("mp.messaging.incoming.out-dead-lettering.dead-letter-queue.topic", "out-dead-letters");

    @Inject
    Handler handler;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aResultThatCannotBeWrittenFailsItsRecord() throws Exception {
        send(INPUT);
        for (String channel : List.of("out-ignoring", "out-dead-lettering")) {
            var outputs = BatchedHandlers.read(bootstrapServers, channel + "-counts", 4);
            // In order per key, which is what the output topic's partitions keep.
            assertThat(outputs).filteredOn(record -> record.key().equals("a")).extracting(record -> record.value())
                    .as("outputs of %s", channel).containsExactly("a1", "a2");
            assertThat(outputs).filteredOn(record -> record.key().equals("b")).extracting(record -> record.value())
                    .as("outputs of %s", channel).containsExactly("b1", "b2");
            assertThat(outputs).hasSize(4);
            await().atMost(Duration.ofMinutes(1)).until(() -> BatchedHandlers.committed(bootstrapServers, channel,
                    channel) == INPUT.size());
        }
        assertThat(BatchedHandlers.read(bootstrapServers, "out-dead-letters", 2)).extracting(record -> record.value())
                .containsExactlyInAnyOrder("huge", "mistyped"); // nacks of one batch settle concurrently

        assertThat(handler.seen("out-failing")).containsExactly("a", "b", "huge");
        assertThat(BatchedHandlers.read(bootstrapServers, "out-failing-counts", 2)).extracting(record -> record.value())
                .containsExactlyInAnyOrder("a1", "b1");
        assertThat(BatchedHandlers.committed(bootstrapServers, "out-failing", "out-failing"))
                .as("the failing channel never commits past the failed record").isLessThanOrEqualTo(INPUT.indexOf("huge"));
        send(List.of("a"));
        BatchedHandlers.read(bootstrapServers, "out-ignoring-counts", 5);
        assertThat(handler.seen("out-failing")).as("nothing after the failure, in any later poll").hasSize(3);
    }

    private void send(List<String> values) {
        BatchedHandlers.sendInOnePoll(bootstrapServers, CHANNELS, values, value -> value);
    }

    @ApplicationScoped
    public static class Handler {

        @KeyedState
        ValueState<Long> count;

        private final Map<String, List<String>> seen = new ConcurrentHashMap<>();

        List<String> seen(String channel) {
            return seen.getOrDefault(channel, List.of());
        }

        private Object on(String channel, Record<String, String> record) {
            seen.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(record.value());
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            return switch (record.value()) {
                case "huge" -> "x".repeat(2 * 1024 * 1024); // past the producer's max.request.size
                case "mistyped" -> n; // a Long, for the channel's String serializer
                default -> record.value() + n;
            };
        }

        @Incoming("out-failing")
        @Outgoing("out-failing-counts")
        Object failing(Record<String, String> record) {
            return on("out-failing", record);
        }

        @Incoming("out-ignoring")
        @Outgoing("out-ignoring-counts")
        Object ignoring(Record<String, String> record) {
            return on("out-ignoring", record);
        }

        @Incoming("out-dead-lettering")
        @Outgoing("out-dead-lettering-counts")
        Object deadLettering(Record<String, String> record) {
            return on("out-dead-lettering", record);
        }
    }
}
