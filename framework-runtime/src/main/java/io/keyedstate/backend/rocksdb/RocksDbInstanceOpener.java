package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StoredForm;

/**
 * Opens a shard's RocksDB instance with the process's shared resources: empty, or from the files
 * of a restored native checkpoint, converted as the restore plan says. The shard it returns owns
 * the instance from then on; if opening fails, nothing of it stays open.
 */
final class RocksDbInstanceOpener {

    private RocksDbInstanceOpener() {
    }

    /**
     * Opens an empty shard in {@code dir}, first deleting what a previous owner (or a killed process)
     * left there: a shard's content comes from checkpoints, never from local leftovers.
     */
    static RocksDbShard open(int shardId, Path dir, List<StateDescriptor> states, RocksDbSharedResources resources,
            LongSupplier writeCacheBytes, StateCodecs codecs) {
        try {
            LocalFiles.deleteRecursively(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the RocksDB shard directory " + dir, e);
        }
        return openExisting(shardId, dir, states, resources, writeCacheBytes, codecs, List.of(), (db, handles, dropped) -> {
        });
    }

    /**
     * Opens the shard whose files (a native checkpoint) are in {@code restored}, moving them to
     * {@code dir}, and converts them as {@code plan} says: states stored in another form are
     * rewritten in the declared one, and the column families of states the plan drops are dropped.
     * A column family of a state the application no longer has, which the plan does not drop,
     * fails the open rather than being dropped silently.
     *
     * @param now the time from which values stored without a ttl expire, for states that gained one
     */
    static RocksDbShard restore(int shardId, Path dir, Path restored, List<StateDescriptor> states,
            RocksDbSharedResources resources, LongSupplier writeCacheBytes, StateCodecs codecs, RestorePlan plan, long now)
            throws IOException {
        LocalFiles.deleteRecursively(dir);
        Files.createDirectories(dir.getParent());
        Files.move(restored, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        List<byte[]> dropped = new ArrayList<>();
        if (!plan.dropped().isEmpty()) {
            try (Options options = new Options()) {
                for (byte[] column : RocksDB.listColumnFamilies(options, dir.toString())) {
                    if (plan.dropped().containsKey(new String(column, StandardCharsets.UTF_8))) {
                        dropped.add(column);
                    }
                }
            } catch (RocksDBException e) {
                throw new IOException("Cannot list the column families of " + dir + ": " + e.getMessage(), e);
            }
        }
        return openExisting(shardId, dir, states, resources, writeCacheBytes, codecs, dropped,
                (db, handles, droppedHandles) -> {
                    for (StateDescriptor state : states) {
                        StoredForm stored = plan.storedForm(state);
                        if (stored != null) {
                            handles.set(state.id(), new RocksDbConversion(db, codecs, now).convert(state, stored,
                                    handles.get(state.id()), resources.columnOptions()));
                        }
                    }
                    for (ColumnFamilyHandle column : droppedHandles) {
                        db.dropColumnFamily(column);
                        column.close();
                    }
                });
    }

    /** Work on a freshly opened instance before the shard uses it. */
    @FunctionalInterface
    private interface BeforeUse {
        void accept(RocksDB db, List<ColumnFamilyHandle> stateColumns, List<ColumnFamilyHandle> droppedColumns)
                throws RocksDBException, IOException;
    }

    /** Opens the instance in {@code dir} with the states' column families and the {@code dropped} ones. */
    private static RocksDbShard openExisting(int shardId, Path dir, List<StateDescriptor> states,
            RocksDbSharedResources resources, LongSupplier writeCacheBytes, StateCodecs codecs, List<byte[]> dropped,
            BeforeUse beforeUse) {
        ColumnFamilyOptions columnOptions = resources.columnOptions();
        RocksDB db = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<ColumnFamilyHandle> stateColumns = new ArrayList<>();
        try {
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions));
            for (StateDescriptor state : states) {
                descriptors.add(new ColumnFamilyDescriptor(columnName(state), columnOptions));
            }
            for (byte[] column : dropped) {
                descriptors.add(new ColumnFamilyDescriptor(column, columnOptions));
            }
            db = RocksDB.open(resources.dbOptions(), dir.toString(), descriptors, handles);
            stateColumns.addAll(handles.subList(1, 1 + states.size()));
            beforeUse.accept(db, stateColumns, handles.subList(1 + states.size(), handles.size()));
            return new RocksDbShard(shardId, dir, states, db, List.copyOf(stateColumns), handles.get(0), writeCacheBytes,
                    codecs);
        } catch (RocksDBException | IOException | RuntimeException e) {
            if (db != null) {
                // Closing a handle twice is harmless: a converted state's new one is only in stateColumns.
                stateColumns.forEach(ColumnFamilyHandle::close);
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
            }
            throw new IllegalStateException("Cannot open the RocksDB shard " + shardId + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** By bean class and state name, not id, so that states added to the application do not rename the others. */
    private static byte[] columnName(StateDescriptor state) {
        return state.qualifiedName().getBytes(StandardCharsets.UTF_8);
    }
}
