package io.keyedstate.deployment.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * The final checkpoints of a rebalance run in the consumer's callback: a handover timeout that
 * could hold it past {@code max.poll.interval.ms} would get the member dropped from its group.
 * (A restore timeout longer than the poll interval is fine: restores run in the background.)
 */
class HandoverTimeoutPastPollIntervalFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of(Map.of("quarkus.keyed-state.checkpoint.handover-timeout", "60s",
            "quarkus.keyed-state.checkpoint.restore-timeout", "10m",
            "mp.messaging.incoming.words.max.poll.interval.ms", "60000"),
            "handover-timeout (PT1M) is not less than the 60000 ms of mp.messaging.incoming.words.max.poll.interval.ms");

    @Test
    void startupFailsNamingTheTimeoutAndThePollInterval() {
        // Asserted by the extension above.
    }
}
