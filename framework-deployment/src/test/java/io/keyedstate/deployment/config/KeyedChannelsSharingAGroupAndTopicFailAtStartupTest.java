package io.keyedstate.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Two keyed channels reading one topic in one consumer group would each get some of its
 * partitions, so neither would see all the records of a key: startup fails naming both and the fix.
 */
class KeyedChannelsSharingAGroupAndTopicFailAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.expecting(new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class, Auditor.class))
            .overrideRuntimeConfigKey("mp.messaging.incoming.audited.topic", "words")
            .overrideRuntimeConfigKey("mp.messaging.incoming.words.group.id", "one-group")
            .overrideRuntimeConfigKey("mp.messaging.incoming.audited.group.id", "one-group"),
            "'words'", "'audited'", "consumer group 'one-group'", ".group.id=");

    @Test
    void startupFailsNamingBothChannelsAndTheFix() {
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

    @ApplicationScoped
    public static class Auditor {
        @KeyedState
        ValueState<Long> seen;

        @Incoming("audited")
        void on(String word) {
        }
    }
}
