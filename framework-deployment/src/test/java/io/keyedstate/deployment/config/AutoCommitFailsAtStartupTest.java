package io.keyedstate.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/** Offsets of a keyed channel committed other than with checkpoints would run ahead of its state. */
class AutoCommitFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class))
            .overrideRuntimeConfigKey("mp.messaging.incoming.words.enable.auto.commit", "true")
            .assertException(thrown -> {
                StringBuilder messages = new StringBuilder();
                for (Throwable t = thrown; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append('\n');
                }
                assertThat(messages.toString()).contains("enable.auto.commit=true", "words");
            });

    @Test
    void startupFailsNamingTheProperty() {
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
