package io.keyedstate.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Offsets of a keyed channel committed other than with checkpoints would run ahead of its state. */
class ForeignCommitStrategyFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of("mp.messaging.incoming.words.commit-strategy", "throttled",
            "mp.messaging.incoming.words.commit-strategy=throttled", "keyed-state");

    @Test
    void startupFailsNamingTheStrategyAndTheDefault() {
        // Asserted by the extension above.
    }
}
