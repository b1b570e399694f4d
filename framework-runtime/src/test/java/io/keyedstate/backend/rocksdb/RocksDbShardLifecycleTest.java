package io.keyedstate.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ValueState;
import io.keyedstate.backend.InstanceDirectory;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

class RocksDbShardLifecycleTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");

    @TempDir
    Path root;

    private RocksDbStateBackend backend;

    private RocksDbStateBackend open() {
        backend = new RocksDbStateBackend(List.of(COUNT), new StateCodecs(new ObjectMapper(), Map.of()),
                RocksDbSettings.of(root, 16L << 20), System::currentTimeMillis);
        return backend;
    }

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private Path processDir() {
        return backend.processDir();
    }

    /** See InstanceDirectoryTest for the rule, with a process of its own holding the lock. */
    @Test
    void filesLeftByAStoppedProcessAreDeletedAtStartAndThoseOfALiveOneKept() throws Exception {
        Path stale = Files.createDirectories(root.resolve("process-1-0123456789abcdef").resolve("shard-0"));
        Files.writeString(stale.getParent().resolve(".lock"), ""); // its process is gone: nobody holds the lock
        try (InstanceDirectory alive = InstanceDirectory.create(root, "process-")) {
            open();

            assertThat(stale.getParent()).doesNotExist();
            assertThat(alive.path()).exists();
            assertThat(processDir()).isNotEqualTo(alive.path()).startsWith(root);
            assertThat(processDir().getFileName().toString()).startsWith("process-" + ProcessHandle.current().pid() + "-");
        }
    }

    @Test
    void aRevokedShardIsClosedAndItsFilesDeleted() {
        open();
        set(0, "k", 1L);
        Path shardDir = processDir().resolve("shard-0");
        assertThat(shardDir).isDirectory();

        backend.drop(0);

        assertThat(shardDir).doesNotExist();
        assertThat(backend.shard(0).keyCount()).as("a reassigned shardId starts empty").isZero();
    }

    @Test
    void shutdownDeletesTheProcessDirectory() {
        open();
        set(1, "k", 1L);
        Path processDir = processDir();
        backend.close();
        backend = null;
        assertThat(processDir).doesNotExist();
    }

    @Test
    void aNativeSnapshotHardLinksTheSstFilesAndHoldsTheState() throws Exception {
        open();
        for (long i = 0; i < 1_000; i++) {
            set(0, "key-" + i, i);
        }
        RocksDbShard shard = backend.shard(0);
        Path snapshot = root.resolve("snapshot-1");
        shard.snapshotTo(snapshot);
        set(0, "key-1", -1L); // later writes do not reach the snapshot

        try (Stream<Path> files = Files.list(snapshot)) {
            List<Path> ssts = files.filter(file -> file.toString().endsWith(".sst")).toList();
            assertThat(ssts).isNotEmpty();
            for (Path sst : ssts) {
                Path original = processDir().resolve("shard-0").resolve(sst.getFileName());
                Object linked = Files.readAttributes(sst, BasicFileAttributes.class).fileKey();
                assertThat(linked).as("hard link of %s", original)
                        .isEqualTo(Files.readAttributes(original, BasicFileAttributes.class).fileKey());
            }
        }

        List<ColumnFamilyDescriptor> columns = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor("app.Counter.count".getBytes()));
        List<ColumnFamilyHandle> handles = new java.util.ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB copy = RocksDB.openReadOnly(options, snapshot.toString(), columns, handles)) {
            byte[] key = StoredBytes.encode(new StateCodecs(new ObjectMapper(), Map.of()).forType("java.lang.String"), "key-1");
            byte[] value = copy.get(handles.get(1), key);
            assertThat(java.nio.ByteBuffer.wrap(value).getLong()).isEqualTo(1L);
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void theSizeEstimateIsTheEncodedSizeOfTheState() {
        open();
        for (long i = 0; i < 1_000; i++) {
            set(2, String.format("key-%03d", i), i);
        }
        long exact = 1_000L * ((4 + 7) + 8); // length-prefixed "key-NNN" and a Long
        assertThat(backend.shard(2).estimatedBytes()).isBetween(exact * 8 / 10, exact * 12 / 10);
    }

    private void set(int shardId, String key, long value) {
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        CurrentShardKey.callWithin(new ShardKey(backend.shard(shardId), key), () -> {
            count.set(value);
            return null;
        });
    }
}
