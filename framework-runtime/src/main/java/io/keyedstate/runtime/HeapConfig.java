package io.keyedstate.runtime;

import io.quarkus.runtime.annotations.ConfigGroup;
import io.smallrye.config.WithDefault;

/** The heap backend: the {@code quarkus.keyed-state.heap.*} properties. */
@ConfigGroup
public interface HeapConfig {

    /**
     * With incremental checkpoints, a heap shard is stored as a chain: one full file, then per
     * checkpoint a delta of the keys changed or removed since the one before. Every this many
     * checkpoints a new full file starts a new chain, which bounds what a restore reads and
     * replays. `1` stores every checkpoint in full.
     */
    @WithDefault("10")
    int fullSnapshotEvery();

    /**
     * Whether heap checkpoint files are compressed (deflate at its fastest level), in the
     * asynchronous part of a checkpoint. They shrink about fivefold for typical keys and values,
     * which is what goes over the network to S3 and back at a restore; RocksDB's files are
     * compressed by RocksDB itself. Files of either kind are read whatever this says.
     */
    @WithDefault("true")
    boolean snapshotCompression();
}
