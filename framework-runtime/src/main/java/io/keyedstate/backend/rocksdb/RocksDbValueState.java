package io.keyedstate.backend.rocksdb;

import java.util.function.LongSupplier;

import io.keyedstate.ValueState;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** One RocksDB entry per record key, its latest writes in the shard's write cache. */
final class RocksDbValueState<T> extends RocksDbStateHandle implements ValueState<T> {

    RocksDbValueState(StateDescriptor descriptor, StateCodecs codecs, LongSupplier clock) {
        super(descriptor, codecs, clock);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        ShardKey scope = scope();
        return (T) decodeValue(shard(scope).get(id, recordKey(scope)));
    }

    @Override
    public void set(T value) {
        ShardKey scope = scope();
        if (value == null) {
            shard(scope).delete(id, recordKey(scope));
        } else {
            shard(scope).put(id, recordKey(scope), encodeValue(value));
        }
    }
}
