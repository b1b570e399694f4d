package io.keyedstate.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Kafka's auto-commit would commit offsets of a keyed channel ahead of its state. */
class AutoCommitFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of("mp.messaging.incoming.words.enable.auto.commit", "true",
            "enable.auto.commit=true", "words");

    @Test
    void startupFailsNamingTheProperty() {
        // Asserted by the extension above.
    }
}
