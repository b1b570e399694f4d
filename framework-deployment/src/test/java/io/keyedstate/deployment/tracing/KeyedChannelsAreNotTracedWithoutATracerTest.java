package io.keyedstate.deployment.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Without an OpenTelemetry tracer, tracing every record of a keyed channel costs CPU and records
 * nothing: it is off by default, and a channel that sets {@code tracing-enabled} keeps its choice.
 */
class KeyedChannelsAreNotTracedWithoutATracerTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class))
            .overrideConfigKey("mp.messaging.incoming.traced.tracing-enabled", "true");

    @Test
    void keyedChannelsDefaultToNoTracingAndAChannelsOwnSettingWins() {
        var config = ConfigProvider.getConfig();
        assertThat(config.getValue("mp.messaging.incoming.counted.tracing-enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("mp.messaging.incoming.traced.tracing-enabled", Boolean.class)).isTrue();
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("counted")
        void on(String word) {
        }

        @Incoming("traced")
        void traced(String word) {
        }
    }
}
