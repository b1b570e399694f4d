package io.keyedstate.backend.heap;

import java.util.function.LongSupplier;

import io.keyedstate.scope.KeyScope;
import io.keyedstate.scope.KeyScopes;
import io.keyedstate.state.StateDescriptor;

/** What the three heap handles share: finding the current key's entry and the clock for TTL. */
abstract class HeapStateHandle {

    final StateDescriptor descriptor;
    final int id;
    final long ttlMillis;
    final LongSupplier clock;

    HeapStateHandle(StateDescriptor descriptor, LongSupplier clock) {
        this.descriptor = descriptor;
        this.id = descriptor.id();
        this.ttlMillis = descriptor.ttlMillis();
        this.clock = clock;
    }

    final KeyScope scope() {
        KeyScope scope = KeyScopes.current();
        if (scope == null) {
            throw new IllegalStateException(descriptor.displayName() + " was used outside of a keyed scope. Keyed state"
                    + " belongs to the key of the Kafka record being handled: use it inside an @Incoming method of a"
                    + " Kafka channel (not from another thread, a timer or a REST call), or, in a batch handler, inside"
                    + " io.keyedstate.KeyedScope.run(record, ...).");
        }
        return scope;
    }

    final Object stored() {
        KeyScope scope = scope();
        return scope.shard().get(id, scope.key());
    }

    @Override
    public String toString() {
        return descriptor.displayName();
    }
}
