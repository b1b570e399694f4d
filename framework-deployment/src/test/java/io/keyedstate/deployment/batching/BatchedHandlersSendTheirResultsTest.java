package io.keyedstate.deployment.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * A handler that returns a payload, a {@code Record} or a {@code Message} to a Kafka
 * {@code @Outgoing} channel runs batched, and its results come out as SmallRye's sink would have
 * written them: a payload with the input's key when the channel propagates it, a {@code Record}
 * with its own key, a message to the topic, key and headers of its metadata; nothing for a null result.
 * Every key's outputs are its counts 1..n in order, and the inputs are committed to their end,
 * which a checkpoint does only once their outputs are written.
 */
class BatchedHandlersSendTheirResultsTest {

    static final int RECORDS = 600;
    static final int KEYS = 20;
    static final String GROUP = "batched-outputs";

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counting.class, BatchedHandlers.class))
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.connector.smallrye-kafka.group.id", GROUP)
            .overrideConfigKey("quarkus.keyed-state.checkpoint.interval", "1s")
            .overrideConfigKey("mp.messaging.incoming.payload-in.topic", "outputs-payload-in")
            .overrideConfigKey("mp.messaging.outgoing.payload-out.topic", "outputs-payload-out")
            .overrideConfigKey("mp.messaging.outgoing.payload-out.propagate-record-key", "true")
            .overrideConfigKey("mp.messaging.incoming.record-in.topic", "outputs-record-in")
            .overrideConfigKey("mp.messaging.outgoing.record-out.topic", "outputs-record-out")
            .overrideConfigKey("mp.messaging.incoming.message-in.topic", "outputs-message-in")
            .overrideConfigKey("mp.messaging.outgoing.message-out.topic", "outputs-message-unused");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void eachResultIsWrittenAsTheSinkWouldAndTheInputsCommittedAfterIt() throws Exception {
        for (String topic : List.of("outputs-payload-in", "outputs-record-in", "outputs-message-in")) {
            BatchedHandlers.send(bootstrapServers, topic, RECORDS, KEYS);
        }
        int perKey = RECORDS / KEYS;
        assertCounts(BatchedHandlers.read(bootstrapServers, "outputs-payload-out", RECORDS), perKey, "");
        assertCounts(BatchedHandlers.read(bootstrapServers, "outputs-record-out", RECORDS), perKey, "record:");
        // Odd counts only: an even count returns null, which sends nothing.
        List<ConsumerRecord<String, String>> routed = BatchedHandlers.read(bootstrapServers, "outputs-message-routed",
                RECORDS / 2);
        assertThat(routed).hasSize(RECORDS / 2);
        assertThat(routed).allMatch(record -> Long.parseLong(record.value().substring(record.value().indexOf('=') + 1))
                % 2 == 1);
        assertThat(routed).allMatch(record -> record.key().equals("routed-" + record.value().substring(0,
                record.value().indexOf('='))));
        assertThat(routed).allMatch(record -> new String(record.headers().lastHeader("parity").value()).equals("odd"));

        for (String topic : List.of("outputs-payload-in", "outputs-record-in", "outputs-message-in")) {
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(
                    committedTotal(topic)).as("committed offsets of %s", topic).isEqualTo(RECORDS));
        }
        for (String channel : List.of("payload-in", "record-in", "message-in")) {
            assertThat(ConfigProvider.getConfig().getOptionalValue("mp.messaging.incoming." + channel + ".batch",
                    Boolean.class)).as("channel %s is consumed in batches", channel).contains(true);
        }
    }

    /** Every key's outputs, in the order they were written, are {@code prefix + key + "=" + 1..n}, keyed by the key. */
    private static void assertCounts(List<ConsumerRecord<String, String>> outputs, int perKey, String prefix) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        outputs.forEach(record -> byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value()));
        assertThat(byKey).hasSize(KEYS);
        byKey.forEach((key, values) -> {
            List<String> expected = new ArrayList<>();
            for (int n = 1; n <= perKey; n++) {
                expected.add(prefix + key + "=" + n);
            }
            assertThat(values).as("outputs of %s", key).isEqualTo(expected);
        });
    }

    private long committedTotal(String topic) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(entry -> entry.getKey().topic().equals(topic)).mapToLong(entry -> entry.getValue().offset()).sum();
        }
    }

    @ApplicationScoped
    public static class Counting {

        @KeyedState
        ValueState<Long> count;

        final Set<String> threads = ConcurrentHashMap.newKeySet();

        private long next() {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            return n;
        }

        /** A blocking signature, and a payload result: the channel propagates the input's key. */
        @Incoming("payload-in")
        @Outgoing("payload-out")
        String payload(Record<String, String> record) {
            return record.key() + "=" + next();
        }

        @Incoming("record-in")
        @Outgoing("record-out")
        @NonBlocking
        Record<String, String> record(Record<String, String> record) {
            return Record.of(record.key(), "record:" + record.key() + "=" + next());
        }

        /** A message whose metadata names another topic and key; null for every second record of a key. */
        @Incoming("message-in")
        @Outgoing("message-out")
        Message<String> message(String value) {
            String key = BatchedHandlers.keyIn(value);
            long n = next();
            return n % 2 == 0 ? null
                    : Message.of(key + "=" + n).addMetadata(OutgoingKafkaRecordMetadata.<String> builder()
                            .withTopic("outputs-message-routed").withKey("routed-" + key)
                            .withHeaders(new RecordHeaders().add("parity", "odd".getBytes())).build());
        }
    }
}
