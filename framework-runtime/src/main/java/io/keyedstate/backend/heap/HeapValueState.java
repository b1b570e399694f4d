package io.keyedstate.backend.heap;

import java.util.function.LongSupplier;

import io.keyedstate.ValueState;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** A value per record key in the shard's map, wrapped with its expiry when the state has a TTL. */
final class HeapValueState<T> extends HeapStateHandle implements ValueState<T> {

    HeapValueState(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor, clock);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) StoredValues.unwrap(stored(), now());
    }

    @Override
    public void set(T value) {
        ShardKey scope = scope();
        Object stored = value == null ? null : StoredValues.wrap(value, ttlMillis, now());
        shard(scope).put(id, scope.key(), stored);
    }
}
