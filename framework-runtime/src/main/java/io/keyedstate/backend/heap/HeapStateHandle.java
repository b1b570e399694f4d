package io.keyedstate.backend.heap;

import java.util.function.LongSupplier;

import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateHandle;

/** What the three heap handles share: the current key's shard and entry, and the clock for TTL. */
abstract class HeapStateHandle extends StateHandle {

    final int id;
    final long ttlMillis;
    final LongSupplier clock;

    HeapStateHandle(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor);
        this.id = descriptor.id();
        this.ttlMillis = descriptor.ttlMillis();
        this.clock = clock;
    }

    /** The time for expiry; read only by states with a time to live, the only ones that store expiring values. */
    final long now() {
        return ttlMillis > 0 ? clock.getAsLong() : Long.MIN_VALUE;
    }

    static HeapShard shard(ShardKey scope) {
        return (HeapShard) scope.shard();
    }

    final Object stored() {
        ShardKey scope = scope();
        return shard(scope).get(id, scope.key());
    }
}
