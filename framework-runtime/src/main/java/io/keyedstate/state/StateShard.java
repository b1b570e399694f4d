package io.keyedstate.state;

/** The state of one partition of a keyed channel. */
public interface StateShard {

    /** The shard id that {@code io.keyedstate.scope.ShardIds} gave the (channel, partition) pair. */
    int id();

    /**
     * The number of (state, record key) pairs that hold a value. Exact: the heap backend knows it,
     * RocksDB counts by scanning, so use it for tests and diagnostics, not on a hot path.
     */
    long keyCount();

    /** About how many bytes the shard's state takes encoded: what a full checkpoint of it would write. */
    long estimatedBytes();

    /** The shard's timers, in time order. */
    TimerQueue timers();
}
