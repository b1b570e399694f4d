package io.keyedstate.checkpoint;

/** Observes checkpoints, for metrics. Called off the processing threads; must not block. */
public interface CheckpointListener {

    void completed(int partition, CheckpointManifest manifest, long syncNanos, long asyncNanos);

    void failed(int partition, Throwable failure);

    void restored(int partition, CheckpointManifest manifest, long nanos);
}
