package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.runtime.KeyedStateConfig;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.config.SecretKeys;
import io.smallrye.config.SmallRyeConfig;

/** Incremental checkpoints of the heap backend on S3, see {@link IncrementalCheckpointScenario}. */
class IncrementalHeapCheckpointTest {

    @RegisterExtension
    static final QuarkusUnitTest app = IncrementalCheckpointScenario.app("heap", "incremental-heap");

    @Inject
    IncrementalCheckpointScenario.Counter counter;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @Test
    void aCheckpointAfterFewChangesUploadsLittleAndRetentionLeavesNoUnreferencedObject() throws Exception {
        IncrementalCheckpointScenario.run(counter, checkpoints, "incremental-heap");
    }

    /** Configuration listings (the Dev UI's configuration page, config dumps) go through these APIs. */
    @Test
    void s3CredentialsAreLeftOutOfConfigurationListings() {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        for (String key : List.of("access-key", "secret-key")) {
            String name = "quarkus.keyed-state.checkpoint.s3." + key;
            assertThat(config.getPropertyNames()).doesNotContain(name);
            assertThatThrownBy(() -> config.getValue(name, String.class)).isInstanceOf(SecurityException.class);
            String secret = SecretKeys.doUnlocked(() -> config.getValue(name, String.class));
            assertThat(config.getConfigMapping(KeyedStateConfig.class).checkpoint().s3().toString()).doesNotContain(secret);
        }
    }
}
