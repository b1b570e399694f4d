package io.keyedstate.deployment.checkpoint;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedStateCheckpoints;
import io.quarkus.test.QuarkusUnitTest;

/** Incremental checkpoints of the rocksdb backend on S3, see {@link IncrementalCheckpointScenario}. */
class IncrementalRocksDbCheckpointTest {

    @RegisterExtension
    static final QuarkusUnitTest app = IncrementalCheckpointScenario.app("rocksdb", "incremental-rocksdb");

    @Inject
    IncrementalCheckpointScenario.Counter counter;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @Test
    void aCheckpointAfterFewChangesUploadsLittleAndRetentionLeavesNoUnreferencedObject() throws Exception {
        IncrementalCheckpointScenario.run(counter, checkpoints, "incremental-rocksdb");
    }
}
