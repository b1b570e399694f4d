package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The admin client that reads topic ids gets only what an admin client takes, and never fails a caller. */
class TopicIdsTest {

    @Test
    void theAdminClientGetsTheConnectionAndSecurityNotTheGroupOrDeserializers() {
        Map<String, Object> config = TopicIds.adminConfig(Map.of("bootstrap.servers", "broker:9092",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "ssl.truststore.location", "/etc/trust.p12",
                "group.id", "word-count", "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "auto.offset.reset", "earliest", "enable.auto.commit", false, "client.id", "kafka-consumer-words"));
        assertThat(config).containsEntry("bootstrap.servers", "broker:9092").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("ssl.truststore.location", "/etc/trust.p12")
                .containsEntry("client.id", "kafka-consumer-words-topic-ids")
                .doesNotContainKeys("group.id", "key.deserializer", "auto.offset.reset", "enable.auto.commit");
    }

    @Test
    void idsThatCannotBeReadInTimeAreNoneAndNoFailure() {
        // Nothing listens on port 1: the describe call times out at the deadline.
        try (TopicIds ids = new TopicIds("words", () -> Map.of("bootstrap.servers", "localhost:1"))) {
            long started = System.nanoTime();
            assertThat(ids.read(List.of("words"), System.nanoTime() + Duration.ofMillis(300).toNanos())).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TopicIds.MAX_WAIT);
        }
    }

    @Test
    void noTopicsNeedNoAdminClient() {
        TopicIds ids = new TopicIds("words", () -> {
            throw new AssertionError("an admin client was made");
        });
        assertThat(ids.read(List.of(), System.nanoTime() + Duration.ofSeconds(1).toNanos())).isEmpty();
        ids.close();
    }
}
