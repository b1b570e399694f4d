package io.keyedstate.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A handler built to send its results straight to Kafka (no tracer at build time) whose output
 * channel turns tracing on at runtime would write untraced records: startup fails naming the
 * channel, the property and the way back to the per-record path.
 */
class BatchedOutputWithTracingFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.expecting(new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class))
            .overrideRuntimeConfigKey("mp.messaging.outgoing.word-counts.tracing-enabled", "true"),
            "'word-counts'", "'tracing-enabled'", "quarkus.keyed-state.batched-handlers=false");

    @Test
    void startupFailsNamingTheChannelAndTheWayOut() {
        // Asserted by the extension above.
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        @Outgoing("word-counts")
        String on(String word) {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            return Long.toString(n);
        }
    }
}
