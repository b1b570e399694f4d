package io.keyedstate.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;

/**
 * The behaviour every state backend owes its users. Each test runs once per backend.
 */
class KeyedStateContractTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0, "java.lang.Long", "");
    static final StateDescriptor PER_HOUR = new StateDescriptor(1, "app.Counter", "perHour", "perHour", StateKind.MAP, 0, "java.lang.Long", "java.lang.String");
    static final StateDescriptor EVENTS = new StateDescriptor(2, "app.Counter", "events", "events", StateKind.LIST, 0, "java.lang.String", "");
    static final StateDescriptor RECENT = new StateDescriptor(3, "app.Counter", "recent", "recent", StateKind.VALUE, 1_000, "java.lang.String", "");
    static final StateDescriptor RECENT_MAP = new StateDescriptor(4, "app.Counter", "recentMap", "recentMap", StateKind.MAP, 1_000, "java.lang.String", "java.lang.String");
    static final StateDescriptor RECENT_LIST = new StateDescriptor(5, "app.Counter", "recentList", "recentList", StateKind.LIST, 1_000, "java.lang.String", "");
    static final List<StateDescriptor> STATES = List.of(COUNT, PER_HOUR, EVENTS, RECENT, RECENT_MAP, RECENT_LIST);

    static final class ManualClock {
        final AtomicLong now = new AtomicLong(1_000_000);
    }

    static Stream<String> backends() {
        return Stream.of("heap", "rocksdb");
    }

    @TempDir
    Path localDir;

    private final List<StateBackend> opened = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        opened.forEach(StateBackend::close);
    }

    private StateBackend create(String kind, ManualClock clock) {
        return create(kind, clock, localDir);
    }

    private StateBackend create(String kind, ManualClock clock, Path dir) {
        StateBackend backend = switch (kind) {
            case "heap" -> new HeapStateBackend(STATES, clock.now::get);
            case "rocksdb" -> new RocksDbStateBackend(STATES, new StateCodecs(new ObjectMapper(), Map.of()),
                    RocksDbSettings.of(dir, 64L << 20), clock.now::get);
            default -> throw new IllegalArgumentException(kind);
        };
        opened.add(backend);
        return backend;
    }

    private static void in(StateBackend backend, int partition, Object key, Runnable action) {
        CurrentShardKey.callWithin(new ShardKey(backend.shard(partition), RecordKeys.normalize(key)), () -> {
            action.run();
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T handle(StateBackend backend, StateDescriptor state) {
        return (T) backend.handle(state);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void valueStateHoldsOneValuePerKey(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);

        in(backend, 0, "a", () -> {
            assertThat(count.get()).isNull();
            assertThat(count.getOrDefault(7L)).isEqualTo(7L);
            count.set(1L);
        });
        in(backend, 0, "b", () -> count.set(2L));
        in(backend, 0, "a", () -> assertThat(count.get()).isEqualTo(1L));
        in(backend, 0, "b", () -> {
            assertThat(count.get()).isEqualTo(2L);
            count.clear();
            assertThat(count.get()).isNull();
        });
        in(backend, 0, "a", () -> {
            count.set(null);
            assertThat(count.getOrDefault(0L)).isZero();
        });
        assertThat(backend.shard(0).keyCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theSameKeyInAnotherPartitionIsAnotherState(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);

        in(backend, 0, "a", () -> count.set(1L));
        in(backend, 3, "a", () -> assertThat(count.get()).isNull());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void byteArrayKeysMatchByContent(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);

        in(backend, 0, new byte[] { 1, 2, 3 }, () -> count.set(7L));
        in(backend, 0, new byte[] { 1, 2, 3 }, () -> assertThat(count.get()).isEqualTo(7L));
        in(backend, 0, new byte[] { 1, 2, 4 }, () -> assertThat(count.get()).isNull());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void mapStateSupportsEveryOperation(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        MapState<String, Long> perHour = handle(backend, PER_HOUR);

        in(backend, 1, "user-1", () -> {
            assertThat(perHour.isEmpty()).isTrue();
            perHour.put("09", 1L);
            perHour.putAll(Map.of("10", 2L, "11", 3L));
            perHour.remove("11");
            assertThat(perHour.get("09")).isEqualTo(1L);
            assertThat(perHour.get("11")).isNull();
            assertThat(perHour.contains("10")).isTrue();
            assertThat(perHour.contains("11")).isFalse();
            assertThat(perHour.keys()).containsExactlyInAnyOrder("09", "10");
            assertThat(perHour.values()).containsExactlyInAnyOrder(1L, 2L);
            assertThat(perHour.entries()).containsExactlyInAnyOrder(entry("09", 1L), entry("10", 2L));
            assertThat(perHour.isEmpty()).isFalse();
        });
        in(backend, 1, "user-2", () -> assertThat(perHour.isEmpty()).isTrue());
        in(backend, 1, "user-1", () -> {
            perHour.put("09", null);
            assertThat(perHour.contains("09")).isFalse();
            perHour.clear();
            assertThat(perHour.isEmpty()).isTrue();
        });
        assertThat(backend.shard(1).keyCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void mapIterationIsNotDisturbedByWritesDuringIt(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        MapState<String, Long> perHour = handle(backend, PER_HOUR);

        in(backend, 0, "k", () -> {
            perHour.putAll(Map.of("a", 1L, "b", 2L, "c", 3L));
            List<String> seen = new ArrayList<>();
            for (String key : perHour.keys()) {
                seen.add(key);
                perHour.remove(key);
                perHour.put(key + "'", 0L);
            }
            assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(perHour.keys()).containsExactlyInAnyOrder("a'", "b'", "c'");
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void listStateKeepsInsertionOrder(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        ListState<String> events = handle(backend, EVENTS);

        in(backend, 2, "k", () -> {
            assertThat(events.get()).isEmpty();
            events.add("a");
            events.addAll(List.of("b", "c"));
            assertThat(events.get()).containsExactly("a", "b", "c");
            events.update(List.of("z", "y"));
            assertThat(events.get()).containsExactly("z", "y");
            assertThatThrownBy(() -> events.add(null)).isInstanceOf(NullPointerException.class);
            events.clear();
            assertThat(events.get()).isEmpty();
        });
        assertThat(backend.shard(2).keyCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void expiredValuesReadAsAbsentAndAreRemovedInTheBackground(String kind) {
        ManualClock clock = new ManualClock();
        StateBackend backend = create(kind, clock);
        ValueState<String> recent = handle(backend, RECENT);
        MapState<String, String> recentMap = handle(backend, RECENT_MAP);
        ListState<String> recentList = handle(backend, RECENT_LIST);

        in(backend, 0, "k", () -> {
            recent.set("old");
            recentMap.put("old", "x");
            recentList.add("old");
        });
        clock.now.addAndGet(600);
        in(backend, 0, "k", () -> {
            recentMap.put("new", "y");
            recentList.add("new");
        });
        clock.now.addAndGet(600); // "old" values are 1,200 ms old, "new" ones 600 ms

        in(backend, 0, "k", () -> {
            assertThat(recent.get()).isNull();
            assertThat(recentMap.keys()).containsExactly("new");
            assertThat(recentMap.get("old")).isNull();
            assertThat(recentList.get()).containsExactly("new");
        });
        assertThat(backend.shard(0).keyCount()).isEqualTo(3);
        assertThat(backend.removeExpired()).isEqualTo(3);
        assertThat(backend.shard(0).keyCount()).isEqualTo(2);

        clock.now.addAndGet(600);
        backend.removeExpired();
        assertThat(backend.shard(0).keyCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aHandleOutsideAKeyedScopeSaysHowToUseIt(String kind) {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);

        assertThatThrownBy(count::get)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Counter.count (ValueState \"count\")")
                .hasMessageContaining("outside of a keyed scope")
                .hasMessageContaining("@Incoming")
                .hasMessageContaining("KeyedScope.run");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void concurrentUpdatesOfDifferentKeysInOneShardAreAllKept(String kind) throws Exception {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);
        int keys = 64;
        int incrementsPerKey = 500;

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int key = 0; key < keys; key++) {
                String k = "key-" + key;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < incrementsPerKey; i++) {
                        in(backend, 0, k, () -> count.set(count.getOrDefault(0L) + 1));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int key = 0; key < keys; key++) {
            in(backend, 0, "key-" + key, () -> assertThat(count.get()).isEqualTo((long) incrementsPerKey));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSnapshotRestoresElsewhereExactlyAsItWasTaken(String kind) throws Exception {
        ManualClock clock = new ManualClock();
        StateBackend backend = create(kind, clock);
        ValueState<Long> count = handle(backend, COUNT);
        MapState<String, Long> perHour = handle(backend, PER_HOUR);
        ListState<String> events = handle(backend, EVENTS);
        ValueState<String> recent = handle(backend, RECENT);
        MapState<String, String> recentMap = handle(backend, RECENT_MAP);
        ListState<String> recentList = handle(backend, RECENT_LIST);
        for (int i = 0; i < 50; i++) {
            long n = i;
            in(backend, 3, "key-" + i, () -> {
                count.set(n);
                perHour.put("h" + (n % 3), n);
                events.add("e" + n);
                events.add("f" + n);
                recent.set("r" + n);
                recentMap.put("m", "v" + n);
                recentList.add("l" + n);
            });
        }
        in(backend, 3, new byte[] { 1, 2, 3 }, () -> count.set(123L));

        Path copy;
        try (var snapshot = backend.snapshot(3, java.util.Set.of())) {
            in(backend, 3, "key-0", () -> count.set(-1L)); // after the snapshot: not in it
            in(backend, 3, "key-new", () -> count.set(-1L));
            copy = java.nio.file.Files.createDirectories(localDir.resolve("copied"));
            for (Path file : snapshot.files()) {
                java.nio.file.Files.copy(file, copy.resolve(file.getFileName()));
            }
        }

        StateBackend restored = create(kind, clock, localDir.resolve("elsewhere"));
        restored.restore(7, copy);
        ValueState<Long> restoredCount = handle(restored, COUNT);
        MapState<String, Long> restoredPerHour = handle(restored, PER_HOUR);
        ListState<String> restoredEvents = handle(restored, EVENTS);
        ValueState<String> restoredRecent = handle(restored, RECENT);
        MapState<String, String> restoredMap = handle(restored, RECENT_MAP);
        ListState<String> restoredList = handle(restored, RECENT_LIST);
        assertThat(restored.shard(7).keyCount()).isEqualTo(backend.shard(3).keyCount() - 1);
        for (int i = 0; i < 50; i++) {
            long n = i;
            in(restored, 7, "key-" + i, () -> {
                assertThat(restoredCount.get()).isEqualTo(n);
                assertThat(restoredPerHour.get("h" + (n % 3))).isEqualTo(n);
                assertThat(restoredEvents.get()).containsExactly("e" + n, "f" + n);
                assertThat(restoredRecent.get()).isEqualTo("r" + n);
                assertThat(restoredMap.get("m")).isEqualTo("v" + n);
                assertThat(restoredList.get()).containsExactly("l" + n);
            });
        }
        in(restored, 7, new byte[] { 1, 2, 3 }, () -> assertThat(restoredCount.get()).isEqualTo(123L));
        in(restored, 7, "key-new", () -> assertThat(restoredCount.get()).isNull());

        clock.now.addAndGet(1_000); // values with a time to live keep their expiry across the restore
        in(restored, 7, "key-1", () -> {
            assertThat(restoredRecent.get()).isNull();
            assertThat(restoredMap.get("m")).isNull();
            assertThat(restoredList.get()).isEmpty();
            assertThat(restoredCount.get()).isEqualTo(1L);
        });
    }

    /**
     * Checkpoints in a row, each built on the one before (what incremental checkpoints do): the
     * files of each, with those it inherits, restore exactly the state at its snapshot.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void aSnapshotBuiltOnConfirmedOnesRestoresExactly(String kind) throws Exception {
        StateBackend backend = create(kind, new ManualClock());
        ValueState<Long> count = handle(backend, COUNT);
        MapState<String, Long> perHour = handle(backend, PER_HOUR);
        ListState<String> events = handle(backend, EVENTS);
        Map<String, Long> expectedCounts = new java.util.HashMap<>();
        Map<String, Map<String, Long>> expectedHours = new java.util.HashMap<>();
        Map<String, List<String>> expectedEvents = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(3);
        Path store = java.nio.file.Files.createDirectories(localDir.resolve("store"));
        java.util.Set<String> confirmed = java.util.Set.of();
        int inheritingRounds = 0;
        for (int round = 0; round < 14; round++) {
            // Most rounds change a few keys; some change most of them.
            int changes = round % 5 == 4 ? 400 : 20;
            for (int i = 0; i < changes; i++) {
                String key = "key-" + random.nextInt(300);
                long n = random.nextInt(1_000);
                switch (random.nextInt(5)) {
                    case 0 -> in(backend, 3, key, () -> {
                        count.clear();
                        perHour.clear();
                        events.clear();
                    });
                    case 1 -> in(backend, 3, key, () -> perHour.remove("h" + (n % 4)));
                    default -> in(backend, 3, key, () -> {
                        count.set(n);
                        perHour.put("h" + (n % 4), n);
                        events.add("e" + n);
                    });
                }
            }
            for (int k = 0; k < 300; k++) {
                String key = "key-" + k;
                in(backend, 3, key, () -> {
                    putOrRemove(expectedCounts, key, count.get());
                    Map<String, Long> hours = new java.util.HashMap<>();
                    perHour.entries().forEach(entry -> hours.put(entry.getKey(), entry.getValue()));
                    putOrRemove(expectedHours, key, hours.isEmpty() ? null : hours);
                    List<String> list = new ArrayList<>();
                    events.get().forEach(list::add);
                    putOrRemove(expectedEvents, key, list.isEmpty() ? null : list);
                });
            }

            java.util.Set<String> manifest = new java.util.HashSet<>();
            try (var snapshot = backend.snapshot(3, confirmed)) {
                for (Path file : snapshot.files()) {
                    String name = file.getFileName().toString();
                    java.nio.file.Files.copy(file, store.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    manifest.add(name);
                }
                assertThat(confirmed).containsAll(snapshot.inherited());
                manifest.addAll(snapshot.inherited());
                inheritingRounds += snapshot.inherited().isEmpty() ? 0 : 1;
                snapshot.confirmed();
            }
            confirmed = manifest;

            Path restoreDir = java.nio.file.Files.createDirectories(localDir.resolve("restore-" + round));
            for (String name : manifest) {
                java.nio.file.Files.copy(store.resolve(name), restoreDir.resolve(name));
            }
            StateBackend restored = create(kind, new ManualClock(), localDir.resolve("restored-" + round));
            restored.restore(7, restoreDir);
            ValueState<Long> restoredCount = handle(restored, COUNT);
            MapState<String, Long> restoredHours = handle(restored, PER_HOUR);
            ListState<String> restoredEvents = handle(restored, EVENTS);
            for (int k = 0; k < 300; k++) {
                String key = "key-" + k;
                int r = round;
                in(restored, 7, key, () -> {
                    assertThat(restoredCount.get()).as("count of %s after round %d", key, r).isEqualTo(expectedCounts.get(key));
                    Map<String, Long> hours = new java.util.HashMap<>();
                    restoredHours.entries().forEach(entry -> hours.put(entry.getKey(), entry.getValue()));
                    assertThat(hours).as("hours of %s after round %d", key, r).isEqualTo(expectedHours.getOrDefault(key, Map.of()));
                    List<String> list = new ArrayList<>();
                    restoredEvents.get().forEach(list::add);
                    assertThat(list).as("events of %s after round %d", key, r).isEqualTo(expectedEvents.getOrDefault(key, List.of()));
                });
            }
            restored.close();
        }
        if (kind.equals("heap")) {
            // Deltas in most rounds; a full file when most keys changed and after 10 files in a chain.
            assertThat(inheritingRounds).isBetween(6, 11);
        }
    }

    private static <V> void putOrRemove(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }
}
