package io.keyedstate.checkpoint;

/**
 * Observes checkpoints, for metrics: each call names the shard by its keyed channel and partition.
 * Called off the processing threads; must not block.
 */
public interface CheckpointListener {

    void completed(String channel, int partition, CheckpointManifest manifest, long syncNanos, long asyncNanos);

    void failed(String channel, int partition, Throwable failure);

    void restored(String channel, int partition, CheckpointManifest manifest, long nanos);
}
