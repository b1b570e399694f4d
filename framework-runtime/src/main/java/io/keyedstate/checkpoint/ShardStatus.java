package io.keyedstate.checkpoint;

/**
 * One shard this instance owns, as an operator sees it: where it stands and its newest checkpoint.
 *
 * @param folder the shard's folder in storage, {@code <topic>-<partition>}
 * @param status {@code processing}, {@code restoring}, or {@code unrecoverable: <why>}
 * @param lastCheckpoint the id of its newest completed checkpoint, null if none since it was taken on
 * @param lastCheckpointAtMillis when that checkpoint completed (or the shard was restored), epoch millis
 */
public record ShardStatus(int id, String channel, int partition, String folder, String status, String lastCheckpoint,
        long lastCheckpointAtMillis) {
}
