package io.keyedstate.backend.heap;

import java.util.function.LongSupplier;

import io.keyedstate.scope.KeyScope;
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

    static HeapShard shard(KeyScope scope) {
        return (HeapShard) scope.shard();
    }

    final Object stored() {
        KeyScope scope = scope();
        return shard(scope).get(id, scope.key());
    }
}
