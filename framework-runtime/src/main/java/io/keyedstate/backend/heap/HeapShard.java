package io.keyedstate.backend.heap;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

import io.keyedstate.state.StateShard;

/**
 * The state of one input partition: a table per keyed state, each a persistent map. Reads take no
 * lock. Writes are serialized per shard (records of different keys may be processed concurrently,
 * {@code @Blocking(ordered = false)}), which lets them replace values in place in nodes that no
 * snapshot can see: a snapshot moves the shard to a new edit epoch, under the same lock, so nodes
 * it captured are copied, never written, by later updates.
 */
public final class HeapShard implements StateShard {

    private final int shardId;
    private final AtomicReferenceArray<PersistentHashMap<Object, Object>> tables;
    private final HeapSizeEstimator sizeEstimator;
    private final HeapTimerQueue timers = new HeapTimerQueue(this);
    private final int[] timerStates;
    /** Guarded by {@code this}. */
    private long epoch;
    /** The last confirmed snapshot and its chain of files, the base of the next delta; null before the first. */
    private volatile HeapChainSnapshot.Chain chain;

    HeapShard(int shardId, int stateCount, int[] timerStates, HeapSizeEstimator sizeEstimator) {
        this.shardId = shardId;
        this.timerStates = timerStates;
        this.sizeEstimator = sizeEstimator;
        this.tables = new AtomicReferenceArray<>(stateCount);
        for (int i = 0; i < stateCount; i++) {
            tables.set(i, PersistentHashMap.empty());
        }
    }

    /** A shard holding restored tables, which no later write may edit in place: they start a new epoch. */
    HeapShard(int shardId, PersistentHashMap<Object, Object>[] restored, int[] timerStates, HeapSizeEstimator sizeEstimator) {
        this(shardId, restored.length, timerStates, sizeEstimator);
        for (int i = 0; i < restored.length; i++) {
            tables.set(i, restored[i]);
        }
        epoch = 1;
        timers.rebuild(timerStates);
    }

    @Override
    public int id() {
        return shardId;
    }

    @Override
    public HeapTimerQueue timers() {
        return timers;
    }

    HeapChainSnapshot.Chain chain() {
        return chain;
    }

    void chain(HeapChainSnapshot.Chain confirmed) {
        chain = confirmed;
    }

    Object get(int state, Object key) {
        return tables.get(state).get(key);
    }

    /**
     * Replaces the entry of {@code key} with {@code change(current)}; a null result removes it.
     */
    synchronized void update(int state, Object key, UnaryOperator<Object> change) {
        PersistentHashMap<Object, Object> table = tables.get(state);
        Object next = change.apply(table.get(key));
        store(state, table, next == null ? table.remove(key) : table.put(key, next, epoch));
    }

    /** Sets or (with null) removes the entry of {@code key}, without reading it first. */
    synchronized void put(int state, Object key, Object value) {
        PersistentHashMap<Object, Object> table = tables.get(state);
        store(state, table, value == null ? table.remove(key) : table.put(key, value, epoch));
    }

    private void store(int state, PersistentHashMap<Object, Object> table, PersistentHashMap<Object, Object> updated) {
        if (updated != table) {
            tables.set(state, updated);
        }
    }

    /**
     * Removes {@code key} if it still maps to {@code expected} (identity), so that a background
     * sweep never undoes a write that happened after it looked.
     */
    void replaceIfSame(int state, Object key, Object expected, Object replacement) {
        update(state, key, current -> current == expected ? replacement : current);
    }

    PersistentHashMap<Object, Object> table(int state) {
        return tables.get(state);
    }

    /**
     * A consistent, immutable view of every table, taken in time proportional to the number of
     * states, not to their size. Later writes do not change it.
     */
    public synchronized HeapSnapshot snapshot() {
        epoch++;
        return roots();
    }

    private HeapSnapshot roots() {
        @SuppressWarnings("unchecked")
        PersistentHashMap<Object, Object>[] roots = new PersistentHashMap[tables.length()];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = tables.get(i);
        }
        return new HeapSnapshot(shardId, roots);
    }

    @Override
    public long keyCount() {
        long count = 0;
        for (int i = 0; i < tables.length(); i++) {
            count += tables.get(i).size();
        }
        for (int state : timerStates) {
            count -= tables.get(state).size(); // timers are not state a key holds
        }
        return count;
    }

    @Override
    public long estimatedBytes() {
        // Not a snapshot: starting an edit epoch would make the next writes copy their paths again,
        // and a size estimate can live with values replaced while it samples.
        return sizeEstimator.estimatedBytes(roots());
    }
}
