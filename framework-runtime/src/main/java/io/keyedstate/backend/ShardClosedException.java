package io.keyedstate.backend;

/**
 * A shard was used after it was closed: its partition was let go (a rebalance, a handover that
 * timed out) or the application is stopping. The use is refused rather than touching freed
 * native memory.
 */
public final class ShardClosedException extends IllegalStateException {

    public ShardClosedException(int shardId) {
        super("State shard " + shardId + " is closed: its partition was let go, or the application is stopping");
    }
}
