package io.keyedstate.deployment.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Without an OpenTelemetry tracer, tracing every record of a keyed channel, and every record its
 * handler sends to Kafka, costs CPU and records nothing: it is off by default, and a channel that
 * sets {@code tracing-enabled} keeps its choice. An in-memory channel between two methods gets no
 * property, which would make SmallRye look for its connector.
 */
class KeyedChannelsAreNotTracedWithoutATracerTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class, Relay.class))
            .overrideConfigKey("mp.messaging.incoming.traced.tracing-enabled", "true")
            .overrideConfigKey("mp.messaging.outgoing.traced-counts.tracing-enabled", "true");

    @Test
    void keyedChannelsAndTheirKafkaOutputsDefaultToNoTracingAndAChannelsOwnSettingWins() {
        var config = ConfigProvider.getConfig();
        assertThat(config.getValue("mp.messaging.incoming.counted.tracing-enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("mp.messaging.outgoing.counts.tracing-enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("mp.messaging.incoming.traced.tracing-enabled", Boolean.class)).isTrue();
        assertThat(config.getValue("mp.messaging.outgoing.traced-counts.tracing-enabled", Boolean.class)).isTrue();
        assertThat(config.getOptionalValue("mp.messaging.outgoing.in-memory.tracing-enabled", Boolean.class)).isEmpty();
        assertThat(config.getOptionalValue("mp.messaging.outgoing.relayed.tracing-enabled", Boolean.class)).isEmpty();
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("counted")
        @Outgoing("counts")
        String on(String word) {
            return word;
        }

        @Incoming("traced")
        @Outgoing("traced-counts")
        String traced(String word) {
            return word;
        }

        @Incoming("kept")
        @Outgoing("in-memory")
        String kept(String word) {
            return word;
        }
    }

    /** Not keyed: its Kafka output keeps SmallRye's default. */
    @ApplicationScoped
    public static class Relay {
        @Incoming("in-memory")
        @Outgoing("relayed")
        String relay(String word) {
            return word;
        }
    }
}
