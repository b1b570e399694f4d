package io.keyedstate.backend.heap;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

import io.keyedstate.backend.StateShard;

/**
 * The state of one input partition: a table per keyed state, each an immutable map swapped by
 * compare-and-set. Records of different keys may be processed concurrently
 * ({@code @Blocking(ordered = false)}); those of one key never are, so a retried update only ever
 * races with other keys.
 */
public final class HeapShard implements StateShard {

    private final int partition;
    private final AtomicReferenceArray<PersistentHashMap<Object, Object>> tables;
    private final HeapSizeEstimator sizeEstimator;

    HeapShard(int partition, int stateCount, HeapSizeEstimator sizeEstimator) {
        this.partition = partition;
        this.sizeEstimator = sizeEstimator;
        this.tables = new AtomicReferenceArray<>(stateCount);
        for (int i = 0; i < stateCount; i++) {
            tables.set(i, PersistentHashMap.empty());
        }
    }

    @Override
    public int partition() {
        return partition;
    }

    Object get(int state, Object key) {
        return tables.get(state).get(key);
    }

    /**
     * Replaces the entry of {@code key} with {@code change(current)}; a null result removes it.
     * {@code change} must be free of side effects: it runs again if another key won the race.
     */
    void update(int state, Object key, UnaryOperator<Object> change) {
        while (true) {
            PersistentHashMap<Object, Object> table = tables.get(state);
            Object current = table.get(key);
            Object next = change.apply(current);
            PersistentHashMap<Object, Object> updated = next == null ? table.remove(key) : table.put(key, next);
            if (updated == table || tables.compareAndSet(state, table, updated)) {
                return;
            }
        }
    }

    /** Sets or (with null) removes the entry of {@code key}, without reading it first. */
    void put(int state, Object key, Object value) {
        while (true) {
            PersistentHashMap<Object, Object> table = tables.get(state);
            PersistentHashMap<Object, Object> updated = value == null ? table.remove(key) : table.put(key, value);
            if (updated == table || tables.compareAndSet(state, table, updated)) {
                return;
            }
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
    public HeapSnapshot snapshot() {
        @SuppressWarnings("unchecked")
        PersistentHashMap<Object, Object>[] roots = new PersistentHashMap[tables.length()];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = tables.get(i);
        }
        return new HeapSnapshot(partition, roots);
    }

    @Override
    public long keyCount() {
        long count = 0;
        for (int i = 0; i < tables.length(); i++) {
            count += tables.get(i).size();
        }
        return count;
    }

    @Override
    public long estimatedBytes() {
        return sizeEstimator.estimatedBytes(snapshot());
    }
}
