package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.ShardClosedException;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StateShard;

/**
 * One shard's state in its own RocksDB instance, one column family per state: the reads, writes,
 * iteration, sizing, native snapshot and close of that instance. Memory is not this shard's to
 * size: it borrows the process's {@link RocksDbSharedResources}. The write-ahead log is off:
 * durability comes from checkpoints, not from RocksDB.
 * <p>
 * Over 300 lines because every use of the native handles goes through the two locks declared
 * here (the lifecycle lock against a use after close, which would crash the JVM, and the write
 * guard against the expiry sweep); spreading the uses over classes would spread that discipline.
 */
public final class RocksDbShard implements StateShard {

    private static final int SIZE_SAMPLE = 32;
    private static final long CLOSE_WAIT_SECONDS = 30;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RocksDbShard.class);

    private final int shardId;
    private final Path dir;
    private final List<StateDescriptor> states;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> columns;
    private final ColumnFamilyHandle defaultColumn;
    private final WriteOptions writeOptions;
    private final AtomicLong sequence = new AtomicLong();
    /** Value states' latest writes; null when off. */
    private final WriteCache cache;
    /**
     * Orders every write (and every access to the cache) with the expiry sweep's check-then-delete,
     * so that the sweep never deletes a value written after it looked.
     */
    private final Object guard = new Object();
    private final RocksDbTimerQueue timers;
    /**
     * Every use of the native handles holds the read lock; closing takes the write lock, so it
     * waits for uses in progress (a handler still running after a handover timeout, the expiry
     * sweep, a metrics scrape, a timer round), and later uses get a {@link ShardClosedException}.
     * RocksJava would crash the JVM on a closed handle.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    RocksDbShard(int shardId, Path dir, List<StateDescriptor> states, RocksDB db, List<ColumnFamilyHandle> columns,
            ColumnFamilyHandle defaultColumn, LongSupplier writeCacheBytes, StateCodecs codecs) {
        this.shardId = shardId;
        this.dir = dir;
        this.states = states;
        this.db = db;
        this.columns = columns;
        this.defaultColumn = defaultColumn;
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        this.cache = writeCacheBytes.getAsLong() > 0 ? new WriteCache(writeCacheBytes) : null;
        this.timers = new RocksDbTimerQueue(this, states.stream().filter(state -> state.kind() == StateKind.TIMERS)
                .mapToInt(StateDescriptor::id).toArray(), codecs);
    }

    /**
     * Whether {@code state} is known to hold nothing: no table file and empty memtables. Right
     * after {@link #snapshotTo} flushed, this is what the snapshot holds; deleted entries still in
     * a table file count as something.
     */
    boolean storesNothing(int state) {
        enter();
        try {
            ColumnFamilyHandle column = columns.get(state);
            return db.getLongProperty(column, "rocksdb.total-sst-files-size") == 0
                    && db.getLongProperty(column, "rocksdb.num-entries-active-mem-table") == 0
                    && db.getLongProperty(column, "rocksdb.num-entries-imm-mem-tables") == 0;
        } catch (RocksDBException e) {
            return false;
        } finally {
            exit();
        }
    }

    @Override
    public int id() {
        return shardId;
    }

    @Override
    public RocksDbTimerQueue timers() {
        return timers;
    }

    private boolean cached(int state) {
        return cache != null && states.get(state).kind() == StateKind.VALUE;
    }

    /** Starts a use of the native handles; every call is paired with {@link #exit()}. */
    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new ShardClosedException(shardId);
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    byte[] get(int state, byte[] key) {
        enter();
        try {
            if (!cached(state)) {
                return read(state, key);
            }
            synchronized (guard) {
                byte[] value = cache.get(state, key);
                if (value != null) {
                    return value == WriteCache.DELETED ? null : value;
                }
                return read(state, key);
            }
        } finally {
            exit();
        }
    }

    void put(int state, byte[] key, byte[] value) {
        enter();
        try {
            synchronized (guard) {
                if (cached(state)) {
                    write(cache.put(state, key, value));
                    return;
                }
                try {
                    db.put(columns.get(state), writeOptions, key, value);
                } catch (RocksDBException e) {
                    throw failure("write", state, e);
                }
            }
        } finally {
            exit();
        }
    }

    void delete(int state, byte[] key) {
        enter();
        try {
            synchronized (guard) {
                if (cached(state)) {
                    write(cache.put(state, key, WriteCache.DELETED));
                    return;
                }
                try {
                    db.delete(columns.get(state), writeOptions, key);
                } catch (RocksDBException e) {
                    throw failure("delete", state, e);
                }
            }
        } finally {
            exit();
        }
    }

    /** Deletes {@code keys} of {@code state} (a state the write cache does not hold) in one batch. */
    void deleteAll(int state, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return;
        }
        enter();
        try {
            synchronized (guard) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (byte[] key : keys) {
                        batch.delete(columns.get(state), key);
                    }
                    db.write(writeOptions, batch);
                } catch (RocksDBException e) {
                    throw failure("delete", state, e);
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * Deletes {@code key} if its stored value expired by {@code now}, checking again under the
     * write guard: a value written since the caller looked (cached, or in RocksDB) is never deleted.
     */
    boolean deleteIfExpired(int state, byte[] key, long now) {
        enter();
        try {
            synchronized (guard) {
                return !(cached(state) && cache.get(state, key) != null) && deleteStoredIfExpired(state, key, now);
            }
        } finally {
            exit();
        }
    }

    private boolean deleteStoredIfExpired(int state, byte[] key, long now) {
        byte[] stored = read(state, key);
        if (stored == null || !StoredBytes.isExpired(stored, now)) {
            return false;
        }
        try {
            db.delete(columns.get(state), writeOptions, key);
            return true;
        } catch (RocksDBException e) {
            throw failure("delete", state, e);
        }
    }

    /** Writes every cached value to RocksDB, so that iterators and snapshots see them. */
    void flushWriteCache() {
        if (cache != null) {
            enter();
            try {
                synchronized (guard) {
                    if (!cache.isEmpty()) {
                        write(cache.drain());
                    }
                }
            } finally {
                exit();
            }
        }
    }

    private byte[] read(int state, byte[] key) {
        try {
            return db.get(columns.get(state), key);
        } catch (RocksDBException e) {
            throw failure("read", state, e);
        }
    }

    /** Writes entries that left the cache, in one batch. Called under the write guard. */
    private void write(List<Map.Entry<WriteCache.Key, byte[]>> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<WriteCache.Key, byte[]> entry : entries) {
                ColumnFamilyHandle column = columns.get(entry.getKey().state());
                if (entry.getValue() == WriteCache.DELETED) {
                    batch.delete(column, entry.getKey().bytes());
                } else {
                    batch.put(column, entry.getKey().bytes(), entry.getValue());
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write of cached values failed in shard " + shardId + ": "
                    + e.getMessage(), e);
        }
    }

    /** Replaces everything under {@code prefix} with {@code entries} (key, value pairs), atomically. */
    void replacePrefix(int state, byte[] prefix, List<byte[][]> entries) {
        ColumnFamilyHandle column = columns.get(state);
        enter();
        try {
            synchronized (guard) {
                try (WriteBatch batch = new WriteBatch()) {
                    byte[] end = KeyLayout.successor(prefix);
                    if (end != null) {
                        batch.deleteRange(column, prefix, end);
                    } else {
                        try (Cursor it = iterator(state)) {
                            for (it.seek(prefix); it.isValid() && KeyLayout.startsWith(it.key(), prefix); it.next()) {
                                batch.delete(column, it.key());
                            }
                        }
                    }
                    for (byte[][] entry : entries) {
                        batch.put(column, entry[0], entry[1]);
                    }
                    db.write(writeOptions, batch);
                } catch (RocksDBException e) {
                    throw failure("write", state, e);
                }
            }
        } finally {
            exit();
        }
    }

    /** An iterator over {@code state}'s column; the shard stays open until it is closed. */
    Cursor iterator(int state) {
        enter();
        try {
            return new Cursor(db.newIterator(columns.get(state)));
        } catch (RuntimeException e) {
            exit();
            throw e;
        }
    }

    /** A RocksDB iterator that holds its shard open (see {@link #lifecycle}) until it is closed. */
    final class Cursor implements AutoCloseable {

        private final RocksIterator it;

        private Cursor(RocksIterator it) {
            this.it = it;
        }

        void seekToFirst() {
            it.seekToFirst();
        }

        void seek(byte[] target) {
            it.seek(target);
        }

        boolean isValid() {
            return it.isValid();
        }

        void next() {
            it.next();
        }

        byte[] key() {
            return it.key();
        }

        byte[] value() {
            return it.value();
        }

        @Override
        public void close() {
            try {
                it.close();
            } finally {
                exit();
            }
        }
    }

    long nextSequence() {
        return sequence.getAndIncrement();
    }

    @Override
    public long keyCount() {
        return whileOpen(this::countKeys);
    }

    private long whileOpen(LongSupplier use) {
        enter();
        try {
            return use.getAsLong();
        } finally {
            exit();
        }
    }

    private long countKeys() {
        flushWriteCache();
        long count = 0;
        for (StateDescriptor state : states) {
            if (state.kind() == StateKind.TIMERS) {
                continue; // timers are not state a key holds
            }
            byte[] previousPrefix = null;
            try (Cursor it = iterator(state.id())) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    if (state.kind() == StateKind.VALUE) {
                        count++;
                        continue;
                    }
                    byte[] key = it.key();
                    byte[] prefix = Arrays.copyOf(key, KeyLayout.prefixLength(key));
                    if (!Arrays.equals(prefix, previousPrefix)) {
                        count++;
                        previousPrefix = prefix;
                    }
                }
            }
        }
        return count;
    }

    /**
     * RocksDB's own estimate of the number of entries, times the average encoded size of a sample:
     * the same measure as the heap backend's, where RocksDB's size properties would count memtable
     * arenas and compression instead.
     */
    @Override
    public long estimatedBytes() {
        return whileOpen(this::estimateBytes);
    }

    private long estimateBytes() {
        flushWriteCache();
        long bytes = 0;
        try {
            for (StateDescriptor state : states) {
                long entries = db.getLongProperty(columns.get(state.id()), "rocksdb.estimate-num-keys");
                long sampled = 0;
                int count = 0;
                try (Cursor it = iterator(state.id())) {
                    for (it.seekToFirst(); it.isValid() && count < SIZE_SAMPLE; it.next()) {
                        sampled += it.key().length + it.value().length;
                        count++;
                    }
                }
                if (count > 0) {
                    bytes += sampled * Math.max(entries, count) / count;
                }
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot estimate the size of the RocksDB shard " + shardId, e);
        }
        return bytes;
    }

    /**
     * Flushes the memtables and writes a native checkpoint of the shard to {@code target} (which must
     * not exist): hard links to the immutable SST files plus copies of the small metadata files, so
     * the time taken does not grow with the state size.
     */
    public void snapshotTo(Path target) {
        enter();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true); Checkpoint checkpoint = Checkpoint.create(db)) {
            flushWriteCache();
            db.flush(flush, columns);
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot snapshot the RocksDB shard " + shardId + " to " + target
                    + ": " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    /**
     * Closes the instance, once every use in progress has ended, and deletes its local files. A
     * use that does not end within {@code CLOSE_WAIT_SECONDS} (a handler blocked for good) leaves
     * the instance open, leaked rather than closed under it.
     */
    void close() {
        try {
            if (!lifecycle.writeLock().tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warnf("RocksDB shard %d is still in use after %d s: left open, not closed under its user", shardId,
                        CLOSE_WAIT_SECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("Interrupted while closing RocksDB shard %d: left open", shardId);
            return;
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeNative();
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            LocalFiles.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the RocksDB shard directory " + dir, e);
        }
    }

    private void closeNative() {
        columns.forEach(ColumnFamilyHandle::close);
        defaultColumn.close();
        db.close();
        writeOptions.close();
    }

    private IllegalStateException failure(String operation, int state, RocksDBException e) {
        return new IllegalStateException("RocksDB " + operation + " failed for " + states.get(state).displayName()
                + " in shard " + shardId + ": " + e.getMessage(), e);
    }
}
