package io.keyedstate.backend.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;


import io.keyedstate.TimeDomain;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.DueTimer;
import io.keyedstate.state.TimerQueue;

/**
 * A RocksDB shard's timers, in the column family of their {@code Timers} field, ordered by time:
 * a key is the domain, the time (big-endian, sign bit flipped so that byte order is numeric order)
 * and the encoded record key, so one (key, domain, time) is one entry and due timers are a range
 * scan from the front. The value names the record key's type, to decode it when the timer fires.
 * Only the earliest time per domain is kept in memory.
 */
final class RocksDbTimerQueue extends TimerQueue {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RocksDbTimerQueue.class);
    private static final int HEADER = 1 + Long.BYTES;
    static final String BYTES_KEY = "[B";

    private final RocksDbShard shard;
    private final int[] timerStates;
    private final StateCodecs codecs;
    private final AtomicLong earliestEvent = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong earliestProcessing = new AtomicLong(Long.MAX_VALUE);

    RocksDbTimerQueue(RocksDbShard shard, int[] timerStates, StateCodecs codecs) {
        this.shard = shard;
        this.timerStates = timerStates;
        this.codecs = codecs;
        for (TimeDomain domain : TimeDomain.values()) {
            earliestOf(domain).set(scanEarliest(domain));
        }
    }

    static byte[] key(TimeDomain domain, long time, byte[] recordKey) {
        byte[] key = new byte[HEADER + recordKey.length];
        key[0] = (byte) domain.ordinal();
        long sortable = time ^ Long.MIN_VALUE;
        for (int i = 0; i < Long.BYTES; i++) {
            key[1 + i] = (byte) (sortable >>> (56 - 8 * i));
        }
        System.arraycopy(recordKey, 0, key, HEADER, recordKey.length);
        return key;
    }

    private static long time(byte[] key) {
        long sortable = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            sortable = (sortable << 8) | (key[1 + i] & 0xFF);
        }
        return sortable ^ Long.MIN_VALUE;
    }

    void register(int state, Object key, byte[] recordKey, TimeDomain domain, long time) {
        Object plain = RecordKeys.denormalize(key);
        String type = RecordKeys.isBytes(key) ? BYTES_KEY : plain.getClass().getName();
        shard.put(state, key(domain, time, recordKey), type.getBytes(StandardCharsets.UTF_8));
        earliestOf(domain).accumulateAndGet(time, Math::min);
    }

    void delete(int state, byte[] recordKey, TimeDomain domain, long time) {
        // The earliest time may now be early, which costs one empty look, never a missed timer.
        shard.delete(state, key(domain, time, recordKey));
    }

    @Override
    public long earliest(TimeDomain domain) {
        return earliestOf(domain).get();
    }

    private AtomicLong earliestOf(TimeDomain domain) {
        return domain == TimeDomain.EVENT_TIME ? earliestEvent : earliestProcessing;
    }

    /** A timer's entry as a scan found it. */
    private record Found(int state, byte[] key, byte[] type) {
        long time() {
            return RocksDbTimerQueue.time(key);
        }
    }

    /**
     * Scans from the earliest known time, not the domain's start, where fired timers leave
     * tombstones; and takes the new earliest time from where the scan stopped, not from a new scan.
     */
    @Override
    public List<DueTimer> pollDue(TimeDomain domain, long upTo, int max) {
        List<Found> found = new ArrayList<>();
        long next = Long.MAX_VALUE; // the earliest timer left, among those the scans stopped at
        byte[] from = key(domain, earliest(domain), new byte[0]);
        for (int state : timerStates) {
            try (RocksDbShard.Cursor it = shard.iterator(state)) {
                int taken = 0;
                for (it.seek(from); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (key[0] != domain.ordinal()) {
                        break;
                    }
                    if (time(key) > upTo || taken == max) {
                        next = Math.min(next, time(key));
                        break;
                    }
                    found.add(new Found(state, key, it.value()));
                    taken++;
                }
            }
        }
        found.sort(Comparator.comparingLong(Found::time));
        List<Found> taken = found.subList(0, Math.min(max, found.size()));
        if (found.size() > taken.size()) {
            next = Math.min(next, found.get(taken.size()).time());
        }
        List<DueTimer> due = new ArrayList<>(taken.size());
        java.util.Map<Integer, List<byte[]>> deletes = new java.util.TreeMap<>();
        for (Found entry : taken) {
            try {
                due.add(new DueTimer(entry.state(), recordKey(entry.key(), entry.type()), domain, entry.time()));
            } catch (RuntimeException e) {
                // Left in place, it would stop every later timer of the shard from firing.
                LOG.errorf(e, "A timer at %d of shard %d has a record key that cannot be decoded; it is dropped",
                        entry.time(), shard.id());
            }
            deletes.computeIfAbsent(entry.state(), state -> new ArrayList<>()).add(entry.key());
        }
        deletes.forEach(shard::deleteAll);
        earliestOf(domain).set(next);
        return due;
    }

    @Override
    public void putBack(DueTimer timer) {
        Object plain = RecordKeys.denormalize(timer.key());
        register(timer.state(), timer.key(), StoredBytes.encode(codecs.forKey(plain), plain), timer.domain(), timer.time());
    }

    private Object recordKey(byte[] key, byte[] type) {
        byte[] encoded = java.util.Arrays.copyOfRange(key, HEADER, key.length);
        return RecordKeys.normalize(StoredBytes.decode(codecs.forType(new String(type, StandardCharsets.UTF_8)), encoded,
                false));
    }

    private long scanEarliest(TimeDomain domain) {
        long earliest = Long.MAX_VALUE;
        for (int state : timerStates) {
            try (RocksDbShard.Cursor it = shard.iterator(state)) {
                it.seek(new byte[] { (byte) domain.ordinal() });
                if (it.isValid() && it.key()[0] == domain.ordinal()) {
                    earliest = Math.min(earliest, time(it.key()));
                }
            }
        }
        return earliest;
    }

    @Override
    public long size() {
        long size = 0;
        for (int state : timerStates) {
            try (RocksDbShard.Cursor it = shard.iterator(state)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    size++;
                }
            }
        }
        return size;
    }
}
