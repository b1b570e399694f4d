package io.keyedstate.backend.heap;

/**
 * A shard's tables at one instant. Immutable: checkpoints read it while processing goes on.
 * Table {@code i} belongs to the state whose descriptor id is {@code i}; it maps each record key to
 * the stored form of that key's state (see {@link StoredValues}).
 */
public record HeapSnapshot(int shardId, PersistentHashMap<Object, Object>[] tables) {
}
