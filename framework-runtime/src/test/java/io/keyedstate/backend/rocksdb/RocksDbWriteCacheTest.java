package io.keyedstate.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * The write cache in front of RocksDB's value states never changes what is read, snapshotted or
 * swept; and the expiry sweep never deletes what was written after it looked.
 */
class RocksDbWriteCacheTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    static final StateDescriptor RECENT = new StateDescriptor(1, "app.Counter", "recent", "recent", StateKind.VALUE, 1_000,
            "java.lang.String", "");
    static final StateDescriptor VISITS = new StateDescriptor(2, "app.Counter", "visits", "visits", StateKind.MAP, 1_000,
            "java.lang.String", "java.lang.String");

    @TempDir
    Path root;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<RocksDbStateBackend> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(RocksDbStateBackend::close);
    }

    private RocksDbStateBackend open(String name, long writeCacheBytes) {
        RocksDbStateBackend backend = new RocksDbStateBackend(List.of(COUNT, RECENT, VISITS),
                new StateCodecs(new ObjectMapper(), Map.of()), new RocksDbSettings(root.resolve(name), 16L << 20, 0.5, 0.1,
                        RocksDbProfile.DEFAULT, Map.of(), Map.of(), false, writeCacheBytes), now::get);
        opened.add(backend);
        return backend;
    }

    private static <T> T in(RocksDbStateBackend backend, Object key, java.util.function.Supplier<T> action) {
        return CurrentShardKey.callWithin(new ShardKey(backend.shard(0), key), action);
    }

    /** A cache of 4 KiB holds a few dozen values: most writes evict, in batches, while reads must still see the latest. */
    @Test
    void readsAndSnapshotsSeeEveryWriteThroughEvictions() throws Exception {
        RocksDbStateBackend backend = open("small-cache", 4096);
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        Map<String, Long> expected = new HashMap<>();
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            String key = "key-" + random.nextInt(2_000);
            if (random.nextInt(10) == 0) {
                in(backend, key, () -> {
                    count.clear();
                    return null;
                });
                expected.remove(key);
            } else {
                long n = in(backend, key, () -> {
                    long next = count.getOrDefault(0L) + 1;
                    count.set(next);
                    return next;
                });
                assertThat(n).isEqualTo(expected.merge(key, 1L, Long::sum));
            }
        }
        for (int k = 0; k < 2_000; k++) {
            String key = "key-" + k;
            assertThat(in(backend, key, count::get)).as(key).isEqualTo(expected.get(key));
        }

        Path copy = Files.createDirectories(root.resolve("copy"));
        try (ShardSnapshot snapshot = backend.snapshot(0, Set.of())) {
            for (Path file : snapshot.files()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        RocksDbStateBackend restored = open("restored", 4096);
        restored.restore(0, copy);
        @SuppressWarnings("unchecked")
        ValueState<Long> restoredCount = (ValueState<Long>) restored.handle(COUNT);
        for (int k = 0; k < 2_000; k++) {
            String key = "key-" + k;
            assertThat(in(restored, key, restoredCount::get)).as("restored " + key).isEqualTo(expected.get(key));
        }
        assertThat(restored.shard(0).keyCount()).isEqualTo(expected.size());
    }

    /** The sweep saw an expired value in RocksDB; a newer one written since (still cached) survives it. */
    @Test
    void theExpirySweepNeverDeletesAValueWrittenAfterItLooked() {
        RocksDbStateBackend backend = open("sweep", 16L << 20);
        @SuppressWarnings("unchecked")
        ValueState<String> recent = (ValueState<String>) backend.handle(RECENT);
        in(backend, "k", () -> {
            recent.set("old");
            return null;
        });
        assertThat(backend.shard(0).keyCount()).isEqualTo(1); // writes the cache out: "old" is in RocksDB
        now.addAndGet(2_000); // "old" expired
        in(backend, "k", () -> {
            recent.set("new"); // cached, not yet in RocksDB
            return null;
        });

        assertThat(backend.removeExpired()).isZero();
        assertThat(in(backend, "k", recent::get)).isEqualTo("new");
        assertThat(backend.shard(0).keyCount()).isEqualTo(1);
        now.addAndGet(2_000);
        assertThat(backend.removeExpired()).isEqualTo(1);
        assertThat(backend.shard(0).keyCount()).isZero();
    }

    /** A map entry the sweep found expired, written again before the sweep deletes it, stays. */
    @Test
    void theSweepRechecksAMapEntryBeforeDeletingIt() {
        RocksDbStateBackend backend = open("sweep-map", 16L << 20);
        @SuppressWarnings("unchecked")
        MapState<String, String> visits = (MapState<String, String>) backend.handle(VISITS);
        in(backend, "k", () -> {
            visits.put("page", "old");
            return null;
        });
        now.addAndGet(2_000);
        RocksDbShard shard = backend.shard(0);
        byte[] seen;
        try (RocksDbShard.Cursor it = shard.iterator(VISITS.id())) {
            it.seekToFirst();
            seen = it.key(); // what the sweep found expired
        }
        in(backend, "k", () -> {
            visits.put("page", "new");
            return null;
        });
        assertThat(shard.deleteIfExpired(VISITS.id(), seen, now.get())).isFalse();
        assertThat(in(backend, "k", () -> visits.get("page"))).isEqualTo("new");
    }
}
