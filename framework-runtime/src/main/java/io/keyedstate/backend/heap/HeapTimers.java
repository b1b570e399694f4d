package io.keyedstate.backend.heap;

import java.util.function.LongSupplier;

import io.keyedstate.TimeDomain;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.TimersHandle;

/** The {@code Timers} handle of the heap backend. */
final class HeapTimers extends TimersHandle {

    private final int id;

    HeapTimers(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor, clock);
        this.id = descriptor.id();
    }

    @Override
    protected void register(ShardKey scope, TimeDomain domain, long time) {
        ((HeapShard) scope.shard()).timers().register(id, scope.key(), domain, time);
    }

    @Override
    protected void delete(ShardKey scope, TimeDomain domain, long time) {
        ((HeapShard) scope.shard()).timers().delete(id, scope.key(), domain, time);
    }
}
