package io.keyedstate.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.TimeDomain;
import io.keyedstate.Timers;
import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;

/** What every backend's timers owe: one per (key, domain, time), time order, and a place in every snapshot. */
class TimerQueueContractTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Sessions", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    static final StateDescriptor TIMERS = new StateDescriptor(1, "app.Sessions", "timers", "timers", StateKind.TIMERS, 0,
            "java.lang.Long", "");
    static final List<StateDescriptor> STATES = List.of(COUNT, TIMERS);

    @TempDir
    Path localDir;

    private final List<StateBackend> opened = new ArrayList<>();

    static Stream<String> backends() {
        return Stream.of("heap", "rocksdb");
    }

    @AfterEach
    void closeBackends() {
        opened.forEach(StateBackend::close);
    }

    private StateBackend create(String kind, Path dir) {
        StateBackend backend = switch (kind) {
            case "heap" -> new HeapStateBackend(STATES, System::currentTimeMillis);
            case "rocksdb" -> new RocksDbStateBackend(STATES, new StateCodecs(new ObjectMapper(), Map.of()),
                    RocksDbSettings.of(dir, 64L << 20), System::currentTimeMillis);
            default -> throw new IllegalArgumentException(kind);
        };
        opened.add(backend);
        return backend;
    }

    private static void in(StateBackend backend, int shard, Object key, Runnable action) {
        CurrentShardKey.callWithin(new ShardKey(backend.shard(shard), RecordKeys.normalize(key)), () -> {
            action.run();
            return null;
        });
    }

    private static List<String> due(StateBackend backend, int shard, TimeDomain domain, long upTo, int max) {
        return backend.shard(shard).timers().pollDue(domain, upTo, max).stream()
                .map(timer -> RecordKeys.denormalize(timer.key()) + "@" + timer.time()).toList();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void dueTimersComeOutInTimeOrderOncePerKeyAndTime(String kind) {
        StateBackend backend = create(kind, localDir);
        Timers timers = (Timers) backend.handle(TIMERS);
        in(backend, 1, "b", () -> {
            timers.registerEventTimeTimer(300);
            timers.registerEventTimeTimer(300); // the same timer: fires once
            timers.registerEventTimeTimer(100);
        });
        in(backend, 1, "a", () -> {
            timers.registerEventTimeTimer(200);
            timers.registerEventTimeTimer(-5); // before the epoch still sorts first
            timers.registerProcessingTimeTimer(200);
            timers.registerEventTimeTimer(400);
            timers.deleteEventTimeTimer(400);
            timers.deleteEventTimeTimer(999); // not there: nothing happens
        });
        TimerQueue queue = backend.shard(1).timers();
        assertThat(queue.size()).isEqualTo(5);
        assertThat(queue.earliest(TimeDomain.EVENT_TIME)).isLessThanOrEqualTo(-5);
        assertThat(queue.earliest(TimeDomain.PROCESSING_TIME)).isLessThanOrEqualTo(200);

        assertThat(due(backend, 1, TimeDomain.EVENT_TIME, 250, 2)).containsExactly("a@-5", "b@100");
        assertThat(due(backend, 1, TimeDomain.EVENT_TIME, 250, 10)).containsExactly("a@200");
        assertThat(due(backend, 1, TimeDomain.EVENT_TIME, 250, 10)).isEmpty();
        assertThat(due(backend, 1, TimeDomain.EVENT_TIME, 10_000, 10)).containsExactly("b@300");
        assertThat(queue.earliest(TimeDomain.EVENT_TIME)).isEqualTo(Long.MAX_VALUE);
        assertThat(due(backend, 1, TimeDomain.PROCESSING_TIME, 10_000, 10)).containsExactly("a@200");
        assertThat(queue.size()).isZero();
        assertThat(backend.shard(1).keyCount()).as("timers are not keyed state").isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void firedTimersCarryTheirKeyWhateverItsType(String kind) {
        StateBackend backend = create(kind, localDir);
        Timers timers = (Timers) backend.handle(TIMERS);
        in(backend, 2, 42L, () -> timers.registerProcessingTimeTimer(10));
        in(backend, 2, new byte[] { 7, 8 }, () -> timers.registerProcessingTimeTimer(20));
        List<DueTimer> due = backend.shard(2).timers().pollDue(TimeDomain.PROCESSING_TIME, 100, 10);
        assertThat(due).extracting(DueTimer::key).containsExactly(42L, RecordKeys.normalize(new byte[] { 7, 8 }));
        assertThat(due).extracting(DueTimer::state).containsOnly(TIMERS.id());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void snapshotsHoldTheTimersPendingAtTheirBarrierAcrossAChain(String kind) throws Exception {
        StateBackend backend = create(kind, localDir);
        Timers timers = (Timers) backend.handle(TIMERS);
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        for (int i = 0; i < 100; i++) {
            long time = 1_000 + i;
            in(backend, 3, "user-" + i, () -> {
                timers.registerEventTimeTimer(time);
                timers.registerProcessingTimeTimer(time);
                count.set(time);
            });
        }
        Path first = copy(backend.snapshot(3, Set.of()), "first", true);

        // Built on the first: 10 fired, 1 deleted, 1 added.
        assertThat(due(backend, 3, TimeDomain.EVENT_TIME, 1_009, 100)).hasSize(10);
        in(backend, 3, "user-50", () -> timers.deleteProcessingTimeTimer(1_050));
        in(backend, 3, "late", () -> timers.registerEventTimeTimer(5_000));
        Set<String> reusable = Set.of();
        try (var files = Files.list(first)) {
            reusable = files.map(file -> file.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
        Path second = copy(backend.snapshot(3, reusable), "second", false);
        if (kind.equals("heap")) {
            try (var files = Files.list(first)) {
                files.forEach(file -> copyInto(file, second)); // the chain: its full file, then the delta
            }
        }
        in(backend, 3, "after", () -> timers.registerEventTimeTimer(1)); // after the barrier: not in it

        StateBackend restored = create(kind, localDir.resolve("elsewhere"));
        restored.restore(9, second);
        TimerQueue queue = restored.shard(9).timers();
        assertThat(queue.size()).isEqualTo(90 + 99 + 1);
        assertThat(queue.earliest(TimeDomain.EVENT_TIME)).isEqualTo(1_010);
        List<String> event = due(restored, 9, TimeDomain.EVENT_TIME, Long.MAX_VALUE, 1_000);
        assertThat(event).hasSize(91).startsWith("user-10@1010").endsWith("late@5000");
        List<String> processing = due(restored, 9, TimeDomain.PROCESSING_TIME, Long.MAX_VALUE, 1_000);
        assertThat(processing).hasSize(99).doesNotContain("user-50@1050").startsWith("user-0@1000");
        assertThat(restored.shard(9).keyCount()).isEqualTo(100);
    }

    private Path copy(ShardSnapshot snapshot, String name, boolean confirm) throws Exception {
        Path target = Files.createDirectories(localDir.resolve(name));
        try (snapshot) {
            for (Path file : snapshot.files()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
            if (confirm) {
                snapshot.confirmed();
            }
        }
        return target;
    }

    private static void copyInto(Path file, Path dir) {
        try {
            Path target = dir.resolve(file.getFileName());
            if (!Files.exists(target)) {
                Files.copy(file, target);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
