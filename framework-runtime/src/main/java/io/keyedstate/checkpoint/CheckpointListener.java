package io.keyedstate.checkpoint;

/**
 * Observes checkpoints, for metrics. {@code shard} names a shard as its checkpoint folder does,
 * {@code <topic>-<partition>}. Called off the processing threads; must not block.
 */
public interface CheckpointListener {

    void completed(String shard, CheckpointManifest manifest, long syncNanos, long asyncNanos);

    void failed(String shard, Throwable failure);

    void restored(String shard, CheckpointManifest manifest, long nanos);
}
