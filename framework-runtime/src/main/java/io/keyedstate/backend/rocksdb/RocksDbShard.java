package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.StateShard;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * One shard's state in its own RocksDB instance, one column family per state. Memory is not
 * this shard's to size: the backend shares one block cache and one write-buffer budget among all
 * shards. The write-ahead log is off: durability comes from checkpoints, not from RocksDB.
 */
public final class RocksDbShard implements StateShard {

    private static final int SIZE_SAMPLE = 32;

    private final int shardId;
    private final Path dir;
    private final List<StateDescriptor> states;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> columns;
    private final ColumnFamilyHandle defaultColumn;
    private final WriteOptions writeOptions;
    private final AtomicLong sequence = new AtomicLong();

    private RocksDbShard(int shardId, Path dir, List<StateDescriptor> states, RocksDB db, List<ColumnFamilyHandle> columns,
            ColumnFamilyHandle defaultColumn) {
        this.shardId = shardId;
        this.dir = dir;
        this.states = states;
        this.db = db;
        this.columns = columns;
        this.defaultColumn = defaultColumn;
        this.writeOptions = new WriteOptions().setDisableWAL(true);
    }

    /**
     * Opens an empty shard in {@code dir}, first deleting what a previous owner (or a killed process)
     * left there: a shard's content comes from checkpoints, never from local leftovers.
     */
    static RocksDbShard open(int shardId, Path dir, List<StateDescriptor> states, DBOptions dbOptions,
            ColumnFamilyOptions columnOptions) {
        try {
            LocalFiles.deleteRecursively(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the RocksDB shard directory " + dir, e);
        }
        return openExisting(shardId, dir, states, dbOptions, columnOptions);
    }

    /**
     * Opens the shard whose files (a native checkpoint) are in {@code restored}, moving them to
     * {@code dir}. A column family of a state the application no longer has fails the open, rather
     * than being dropped silently.
     */
    static RocksDbShard restore(int shardId, Path dir, Path restored, List<StateDescriptor> states, DBOptions dbOptions,
            ColumnFamilyOptions columnOptions) throws IOException {
        LocalFiles.deleteRecursively(dir);
        Files.createDirectories(dir.getParent());
        Files.move(restored, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return openExisting(shardId, dir, states, dbOptions, columnOptions);
    }

    private static RocksDbShard openExisting(int shardId, Path dir, List<StateDescriptor> states, DBOptions dbOptions,
            ColumnFamilyOptions columnOptions) {
        try {
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions));
            for (StateDescriptor state : states) {
                descriptors.add(new ColumnFamilyDescriptor(columnName(state), columnOptions));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksDbShard(shardId, dir, states, db, List.copyOf(handles.subList(1, handles.size())),
                    handles.get(0));
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot open the RocksDB shard " + shardId + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** By bean class and state name, not id, so that states added to the application do not rename the others. */
    private static byte[] columnName(StateDescriptor state) {
        return (state.beanClass() + "." + state.name()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int id() {
        return shardId;
    }

    byte[] get(int state, byte[] key) {
        try {
            return db.get(columns.get(state), key);
        } catch (RocksDBException e) {
            throw failure("read", state, e);
        }
    }

    void put(int state, byte[] key, byte[] value) {
        try {
            db.put(columns.get(state), writeOptions, key, value);
        } catch (RocksDBException e) {
            throw failure("write", state, e);
        }
    }

    void delete(int state, byte[] key) {
        try {
            db.delete(columns.get(state), writeOptions, key);
        } catch (RocksDBException e) {
            throw failure("delete", state, e);
        }
    }

    /** Replaces everything under {@code prefix} with {@code entries} (key, value pairs), atomically. */
    void replacePrefix(int state, byte[] prefix, List<byte[][]> entries) {
        ColumnFamilyHandle column = columns.get(state);
        try (WriteBatch batch = new WriteBatch()) {
            byte[] end = KeyLayout.successor(prefix);
            if (end != null) {
                batch.deleteRange(column, prefix, end);
            } else {
                try (RocksIterator it = iterator(state)) {
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

    RocksIterator iterator(int state) {
        return db.newIterator(columns.get(state));
    }

    long nextSequence() {
        return sequence.getAndIncrement();
    }

    @Override
    public long keyCount() {
        long count = 0;
        for (StateDescriptor state : states) {
            byte[] previousPrefix = null;
            try (RocksIterator it = iterator(state.id())) {
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
        long bytes = 0;
        try {
            for (StateDescriptor state : states) {
                long entries = db.getLongProperty(columns.get(state.id()), "rocksdb.estimate-num-keys");
                long sampled = 0;
                int count = 0;
                try (RocksIterator it = iterator(state.id())) {
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
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true); Checkpoint checkpoint = Checkpoint.create(db)) {
            db.flush(flush, columns);
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot snapshot the RocksDB shard " + shardId + " to " + target
                    + ": " + e.getMessage(), e);
        }
    }

    /** Closes the instance and deletes its local files. */
    void close() {
        columns.forEach(ColumnFamilyHandle::close);
        defaultColumn.close();
        db.close();
        writeOptions.close();
        try {
            LocalFiles.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the RocksDB shard directory " + dir, e);
        }
    }

    private IllegalStateException failure(String operation, int state, RocksDBException e) {
        return new IllegalStateException("RocksDB " + operation + " failed for " + states.get(state).displayName()
                + " in shard " + shardId + ": " + e.getMessage(), e);
    }
}
