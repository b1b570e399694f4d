package io.keyedstate.deployment.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A payload, {@code Record} or {@code ConsumerRecord} handler returning void runs batched: its
 * channel is consumed a poll at a time by a generated consumer, on a worker thread for a blocking
 * signature and on the event loop for {@code @NonBlocking}, and every key's count comes out exact.
 * A {@code Message} handler keeps SmallRye's per-record path.
 */
class EligibleHandlersRunBatchedTest {

    static final int RECORDS = 3000;
    static final int KEYS = 60;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(BatchedHandlers.class, BatchedHandlers.Counters.class))
            .overrideConfigKey("mp.messaging.incoming.payloads.topic", "batched-payloads")
            .overrideConfigKey("mp.messaging.incoming.records.topic", "batched-records")
            .overrideConfigKey("mp.messaging.incoming.consumer-records.topic", "batched-consumer-records")
            .overrideConfigKey("mp.messaging.incoming.messages.topic", "per-record-messages")
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.auto.offset.reset", "earliest");

    @Inject
    BatchedHandlers.Counters counters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void eachStyleCountsExactlyOnItsBatchedChannel() {
        for (String channel : List.of("payloads", "records", "consumer-records", "messages")) {
            String topic = ConfigProvider.getConfig().getValue("mp.messaging.incoming." + channel + ".topic", String.class);
            BatchedHandlers.send(bootstrapServers, topic, RECORDS, KEYS);
        }
        Map<String, Long> expected = IntStream.range(0, KEYS).boxed()
                .collect(Collectors.toMap(k -> "key-" + k, k -> (long) (RECORDS / KEYS)));
        for (String channel : List.of("payloads", "records", "consumer-records", "messages")) {
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(counters.counts(channel))
                    .as("counts of channel %s", channel).isEqualTo(expected));
        }

        var config = ConfigProvider.getConfig();
        for (String channel : BatchedHandlers.BATCHED) {
            assertThat(config.getOptionalValue("mp.messaging.incoming." + channel + ".batch", Boolean.class))
                    .as("channel %s is consumed in batches", channel).contains(true);
        }
        assertThat(config.getOptionalValue("mp.messaging.incoming.messages.batch", Boolean.class)).isEmpty();
        assertThat(BatchedHandlers.batchConsumerOf("payload")).isTrue();
        assertThat(BatchedHandlers.batchConsumerOf("message")).isFalse();
        assertThat(counters.threads("payloads")).allMatch(thread -> !thread.contains("eventloop"));
        assertThat(counters.threads("consumer-records")).allMatch(thread -> !thread.contains("eventloop"));
        assertThat(counters.threads("records")).allMatch(thread -> thread.contains("eventloop"));
    }
}
