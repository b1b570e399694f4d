package io.keyedstate.deployment.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class UnknownBackendFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of("quarkus.keyed-state.backend", "cassandra", "quarkus.keyed-state.backend", "cassandra", "heap");

    @Test
    void startupFailsNamingThePropertyAndTheAcceptedValues() {
        // Asserted by the extension above.
    }
}
