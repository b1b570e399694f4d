package io.keyedstate.backend.rocksdb;

import java.util.function.LongSupplier;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateHandle;

/** What the three RocksDB handles share: the current shard, the encoded record key, values with expiry. */
abstract class RocksDbStateHandle extends StateHandle {

    final int id;
    final long ttlMillis;
    final LongSupplier clock;
    final StateCodecs codecs;
    final StateCodec<Object> values;

    RocksDbStateHandle(StateDescriptor descriptor, StateCodecs codecs, LongSupplier clock) {
        super(descriptor);
        this.id = descriptor.id();
        this.ttlMillis = descriptor.ttlMillis();
        this.clock = clock;
        this.codecs = codecs;
        this.values = codecs.forType(descriptor.valueType());
    }

    static RocksDbShard shard(ShardKey scope) {
        return (RocksDbShard) scope.shard();
    }

    final byte[] recordKey(ShardKey scope) {
        return scope.keyBytes(key -> StoredBytes.encode(codecs.forKey(key), key));
    }

    final byte[] encodeValue(Object value) {
        return StoredBytes.encode(values, value, ttlMillis > 0 ? clock.getAsLong() + ttlMillis : -1);
    }

    /** The value, or null if there is none or it expired. */
    final Object decodeValue(byte[] stored) {
        if (stored == null || (ttlMillis > 0 && StoredBytes.isExpired(stored, clock.getAsLong()))) {
            return null;
        }
        return StoredBytes.decode(values, stored, ttlMillis > 0);
    }
}
