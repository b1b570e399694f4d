package io.keyedstate.state;

import java.util.function.Function;

import io.keyedstate.scope.RecordKeys;

/**
 * What a state handle reads and writes while a record is handled: the shard of the record's
 * partition and the record's key (normalized: see {@link RecordKeys}). Backends that store bytes
 * encode the key once per record and keep it here.
 */
public final class ShardKey {

    private final StateShard shard;
    private final Object key;
    private byte[] keyBytes;

    public ShardKey(StateShard shard, Object key) {
        this.shard = shard;
        this.key = key;
    }

    public StateShard shard() {
        return shard;
    }

    public Object key() {
        return key;
    }

    /** The key encoded by {@code encoder}, computed on first use (a scope belongs to one record). */
    public byte[] keyBytes(Function<Object, byte[]> encoder) {
        byte[] bytes = keyBytes;
        if (bytes == null) {
            bytes = encoder.apply(RecordKeys.denormalize(key));
            keyBytes = bytes;
        }
        return bytes;
    }
}
