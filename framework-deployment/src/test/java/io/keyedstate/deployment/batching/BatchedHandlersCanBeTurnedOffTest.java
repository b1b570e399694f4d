package io.keyedstate.deployment.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** With {@code quarkus.keyed-state.batched-handlers=false} every handler keeps SmallRye's per-record path. */
class BatchedHandlersCanBeTurnedOffTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(BatchedHandlers.class, BatchedHandlers.Counters.class))
            .overrideConfigKey("quarkus.keyed-state.batched-handlers", "false");

    @Test
    void noChannelIsConsumedInBatches() {
        for (String channel : BatchedHandlers.BATCHED) {
            assertThat(ConfigProvider.getConfig().getOptionalValue("mp.messaging.incoming." + channel + ".batch",
                    Boolean.class)).as("channel %s", channel).isEmpty();
        }
        assertThat(BatchedHandlers.batchConsumerOf("payload")).isFalse();
    }
}
