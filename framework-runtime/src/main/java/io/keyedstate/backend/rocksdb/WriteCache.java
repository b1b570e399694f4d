package io.keyedstate.backend.rocksdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The latest writes of a shard's value states, not yet in RocksDB. A key written again while its
 * entry is here costs a map update instead of a JNI call, a memtable insert and later compaction
 * work: what Kafka Streams' record cache does for its stores. Entries leave in least-recently-used
 * order when the cache outgrows its capacity, and all at once before a snapshot. Not thread-safe:
 * the shard guards it, together with the RocksDB reads and writes that must be ordered with it.
 */
final class WriteCache {

    /** The value of a key deleted while cached, compared by identity. */
    static final byte[] DELETED = new byte[0];
    /** What an entry costs beyond its key and value bytes: the map entry, the key object, the arrays' headers. */
    private static final int ENTRY_OVERHEAD = 96;

    record Key(int state, byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.state == state && Arrays.equals(key.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return 31 * state + Arrays.hashCode(bytes);
        }
    }

    private final LinkedHashMap<Key, byte[]> entries = new LinkedHashMap<>(256, 0.75f, true);
    private final LongSupplier capacityBytes;
    private long bytes;

    /** @param capacityBytes the cache's current share of its budget, read at every write */
    WriteCache(LongSupplier capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** The cached value ({@link #DELETED} for a deleted key), or null if the key is not cached. */
    byte[] get(int state, byte[] key) {
        return entries.get(new Key(state, key));
    }

    /**
     * Caches {@code value} ({@link #DELETED} to delete) and returns the entries that must leave to
     * make room, eldest first, for the caller to write to RocksDB before anything reads them.
     */
    List<Map.Entry<Key, byte[]>> put(int state, byte[] key, byte[] value) {
        byte[] previous = entries.put(new Key(state, key), value);
        bytes += value.length - (previous == null ? -key.length - ENTRY_OVERHEAD : previous.length);
        long capacity = capacityBytes.getAsLong();
        if (bytes <= capacity) {
            return List.of();
        }
        List<Map.Entry<Key, byte[]>> evicted = new ArrayList<>();
        // Down to three quarters, so that evictions come in batches, not one per write.
        for (Iterator<Map.Entry<Key, byte[]>> it = entries.entrySet().iterator(); it.hasNext() && bytes > capacity * 3 / 4;) {
            Map.Entry<Key, byte[]> eldest = it.next();
            evicted.add(Map.entry(eldest.getKey(), eldest.getValue()));
            bytes -= eldest.getKey().bytes().length + eldest.getValue().length + ENTRY_OVERHEAD;
            it.remove();
        }
        return evicted;
    }

    /** Every entry, eldest first, leaving the cache empty. */
    List<Map.Entry<Key, byte[]>> drain() {
        List<Map.Entry<Key, byte[]>> all = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> all.add(Map.entry(key, value)));
        entries.clear();
        bytes = 0;
        return all;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
