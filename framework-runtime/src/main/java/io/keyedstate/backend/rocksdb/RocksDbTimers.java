package io.keyedstate.backend.rocksdb;

import java.util.function.LongSupplier;

import io.keyedstate.TimeDomain;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.TimersHandle;

/** The {@code Timers} handle of the RocksDB backend. */
final class RocksDbTimers extends TimersHandle {

    private final int id;
    private final StateCodecs codecs;

    RocksDbTimers(StateDescriptor descriptor, StateCodecs codecs, LongSupplier clock) {
        super(descriptor, clock);
        this.id = descriptor.id();
        this.codecs = codecs;
    }

    @Override
    protected void register(ShardKey scope, TimeDomain domain, long time) {
        queue(scope).register(id, scope.key(), recordKey(scope), domain, time);
    }

    @Override
    protected void delete(ShardKey scope, TimeDomain domain, long time) {
        queue(scope).delete(id, recordKey(scope), domain, time);
    }

    private static RocksDbTimerQueue queue(ShardKey scope) {
        return ((RocksDbShard) scope.shard()).timers();
    }

    private byte[] recordKey(ShardKey scope) {
        return scope.keyBytes(key -> StoredBytes.encode(codecs.forKey(key), key));
    }
}
