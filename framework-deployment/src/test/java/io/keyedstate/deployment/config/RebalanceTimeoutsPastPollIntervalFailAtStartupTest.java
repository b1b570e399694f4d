package io.keyedstate.deployment.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * The final checkpoints and restores of a rebalance run in the consumer's callbacks: timeouts that
 * could hold them past {@code max.poll.interval.ms} would get the member dropped from its group.
 */
class RebalanceTimeoutsPastPollIntervalFailAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of(Map.of("quarkus.keyed-state.checkpoint.restore-timeout", "50s",
            "mp.messaging.incoming.words.max.poll.interval.ms", "60000"),
            "handover-timeout (PT30S) plus quarkus.keyed-state.checkpoint.restore-timeout (PT50S)",
            "60000 ms of mp.messaging.incoming.words.max.poll.interval.ms");

    @Test
    void startupFailsNamingTheTimeoutsAndThePollInterval() {
        // Asserted by the extension above.
    }
}
