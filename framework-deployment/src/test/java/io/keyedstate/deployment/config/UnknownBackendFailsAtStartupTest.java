package io.keyedstate.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

class UnknownBackendFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class))
            .overrideConfigKey("kafka.bootstrap.servers", "127.0.0.1:9")
            .overrideRuntimeConfigKey("quarkus.keyed-state.backend", "cassandra")
            .assertException(thrown -> {
                StringBuilder messages = new StringBuilder();
                for (Throwable t = thrown; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append('\n');
                }
                assertThat(messages.toString()).contains("quarkus.keyed-state.backend", "cassandra", "heap");
            });

    @Test
    void startupFailsNamingThePropertyAndTheAcceptedValues() {
        // Asserted by the extension above.
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }
    }
}
