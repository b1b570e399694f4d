package io.keyedstate.checkpoint;

import static io.keyedstate.checkpoint.SchemaCheckTest.COUNT;
import static io.keyedstate.checkpoint.SchemaCheckTest.PER_HOUR;
import static io.keyedstate.checkpoint.SchemaCheckTest.withTtl;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;

/**
 * A shard checkpointed by one version of an application and restored by the next, whose state
 * declarations differ: through {@link CheckpointRestore}, on both backends.
 */
class SchemaChangeRestoreTest {

    static final String SHARD = "app/words-0";
    static final StateDescriptor EVENTS = new StateDescriptor(2, "app.WordCounter", "events", "events", StateKind.LIST, 0,
            "java.lang.String", "");
    static final StateCodecs BUILT_IN = SchemaCheckTest.BUILT_IN;
    static final long TTL = 1_000;

    static Stream<String> backends() {
        return Stream.of("heap", "rocksdb");
    }

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<StateBackend> opened = new ArrayList<>();
    private FilesystemCheckpointStorage storage;
    private int backendCount;

    @BeforeEach
    void createStorage() {
        storage = new FilesystemCheckpointStorage(dir.resolve("checkpoints"));
    }

    @AfterEach
    void close() {
        opened.forEach(StateBackend::close);
        storage.close();
    }

    private StateBackend backend(String kind, List<StateDescriptor> states, StateCodecs codecs) {
        StateBackend backend = switch (kind) {
            case "heap" -> new HeapStateBackend(states, now::get, codecs, 10, true);
            case "rocksdb" -> new RocksDbStateBackend(states, codecs,
                    RocksDbSettings.of(dir.resolve("rocksdb-" + backendCount++), 64L << 20), now::get);
            default -> throw new IllegalArgumentException(kind);
        };
        opened.add(backend);
        return backend;
    }

    private static <T> T in(StateBackend backend, Object key, Supplier<T> action) {
        return CurrentShardKey.callWithin(new ShardKey(backend.shard(0), RecordKeys.normalize(key)), action);
    }

    private static void write(StateBackend backend, Object key, Runnable action) {
        in(backend, key, () -> {
            action.run();
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T handle(StateBackend backend, StateDescriptor state) {
        return (T) backend.handle(state);
    }

    private static Long countOf(StateBackend backend, StateDescriptor state, Object key) {
        ValueState<Long> count = handle(backend, state);
        return in(backend, key, count::get);
    }

    /** Checkpoint {@code name} of shard 0, its files and manifest stored as the coordinator stores them. */
    private ShardSnapshot checkpoint(StateBackend backend, SchemaCheck schemas, String name, Set<String> reusable)
            throws Exception {
        ShardSnapshot snapshot = backend.snapshot(0, reusable);
        List<CheckpointManifest.FileEntry> files = new ArrayList<>();
        for (Path file : snapshot.files()) {
            String fileName = file.getFileName().toString();
            storage.write(SHARD + "/" + name + "/" + fileName, file);
            files.add(new CheckpointManifest.FileEntry(fileName, Files.size(file), CheckpointUploader.crc32c(file), null));
        }
        CheckpointId id = CheckpointId.parse(name).orElseThrow();
        CheckpointManifest manifest = new CheckpointManifest(name, id.n(), id.generation(), false, null, backend.name(),
                Instant.now(), Map.of("words-0", 10L), Map.of(), schemas.manifestStates(snapshot::holdsNothing), files, 0);
        storage.writeAtomically(SHARD + "/" + name + "/" + CheckpointManifest.NAME, manifest.toJson());
        return snapshot;
    }

    private void checkpoint(StateBackend backend, SchemaCheck schemas, String name) throws Exception {
        checkpoint(backend, schemas, name, Set.of()).close();
    }

    private CheckpointRestore.Outcome restore(StateBackend backend, SchemaCheck schemas, String... newestFirst)
            throws Exception {
        List<CheckpointId> ids = Stream.of(newestFirst).map(name -> CheckpointId.parse(name).orElseThrow()).toList();
        CheckpointRestore restore = new CheckpointRestore(storage, backend, schemas, Duration.ofSeconds(5));
        return restore.restore(0, CheckpointRestoreTest.onlyCheckpoints(SHARD), folder -> ids, restore.deadlineFromNow());
    }

    /** A new backend of {@code states}, restored from checkpoint {@code name}. */
    private StateBackend restored(String kind, List<StateDescriptor> states, StateCodecs codecs, String name)
            throws Exception {
        StateBackend backend = backend(kind, states, codecs);
        assertThat(restore(backend, schemas(states, codecs), name)).isInstanceOf(CheckpointRestore.Restored.class);
        return backend;
    }

    private static SchemaCheck schemas(List<StateDescriptor> states, StateCodecs codecs) {
        return new SchemaCheck(states, codecs, false);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aTtlAddedToStoredStateExpiresItsValuesFromTheRestoreOn(String kind) throws Exception {
        List<StateDescriptor> before = List.of(COUNT, PER_HOUR, EVENTS);
        StateBackend old = backend(kind, before, BUILT_IN);
        ValueState<Long> count = handle(old, COUNT);
        MapState<Integer, Long> perHour = handle(old, PER_HOUR);
        ListState<String> events = handle(old, EVENTS);
        for (long i = 0; i < 20; i++) {
            long n = i;
            write(old, "key-" + i, () -> {
                count.set(n);
                perHour.put((int) n % 24, n);
                events.add("e" + n);
            });
        }
        checkpoint(old, schemas(before, BUILT_IN), "chk-1-g1-a");
        now.addAndGet(3_600_000); // written long ago: without a ttl then, so they never expired

        List<StateDescriptor> after = List.of(withTtl(COUNT, TTL), withTtl(PER_HOUR, TTL), withTtl(EVENTS, TTL));
        StateBackend restored = restored(kind, after, BUILT_IN, "chk-1-g1-a");
        ValueState<Long> restoredCount = handle(restored, after.get(0));
        MapState<Integer, Long> restoredHours = handle(restored, after.get(1));
        ListState<String> restoredEvents = handle(restored, after.get(2));
        for (long i = 0; i < 20; i++) {
            long n = i;
            assertThat(in(restored, "key-" + i, restoredCount::get)).isEqualTo(n);
            assertThat(in(restored, "key-" + i, () -> restoredHours.get((int) n % 24))).isEqualTo(n);
            assertThat(in(restored, "key-" + i, restoredEvents::get)).containsExactly("e" + n);
        }

        now.addAndGet(TTL - 1);
        write(restored, "key-1", () -> restoredCount.set(100L));
        assertThat(in(restored, "key-0", restoredCount::get)).isZero();
        now.addAndGet(1);
        assertThat(in(restored, "key-0", restoredCount::get)).isNull();
        assertThat(in(restored, "key-0", restoredHours::entries)).isEmpty();
        assertThat(in(restored, "key-0", restoredEvents::get)).isEmpty();
        assertThat(in(restored, "key-1", restoredCount::get)).isEqualTo(100L);

        // Stored in the new form: the next checkpoint restores as declared, expiries included.
        checkpoint(restored, schemas(after, BUILT_IN), "chk-2-g1-a");
        StateBackend again = restored(kind, after, BUILT_IN, "chk-2-g1-a");
        assertThat(countOf(again, after.get(0), "key-1")).isEqualTo(100L);
        assertThat(countOf(again, after.get(0), "key-2")).isNull();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aTtlRemovedFromStoredStateKeepsItsLiveValuesForever(String kind) throws Exception {
        List<StateDescriptor> before = List.of(withTtl(COUNT, TTL), withTtl(PER_HOUR, TTL), withTtl(EVENTS, TTL));
        StateBackend old = backend(kind, before, BUILT_IN);
        ValueState<Long> count = handle(old, before.get(0));
        MapState<Integer, Long> perHour = handle(old, before.get(1));
        ListState<String> events = handle(old, before.get(2));
        write(old, "early", () -> {
            count.set(1L);
            perHour.put(1, 1L);
            events.add("early");
        });
        now.addAndGet(600);
        write(old, "late", () -> {
            count.set(2L);
            perHour.put(2, 2L);
            events.add("late");
        });
        write(old, "early", () -> events.add("late")); // one element of the list expires, the other not
        now.addAndGet(500); // "early" expired, unless rewritten
        checkpoint(old, schemas(before, BUILT_IN), "chk-1-g1-a");

        List<StateDescriptor> after = List.of(COUNT, PER_HOUR, EVENTS);
        StateBackend restored = restored(kind, after, BUILT_IN, "chk-1-g1-a");
        now.addAndGet(365L * 24 * 3_600_000);
        ValueState<Long> restoredCount = handle(restored, COUNT);
        MapState<Integer, Long> restoredHours = handle(restored, PER_HOUR);
        ListState<String> restoredEvents = handle(restored, EVENTS);
        assertThat(in(restored, "early", restoredCount::get)).isNull();
        assertThat(in(restored, "early", restoredHours::entries)).isEmpty();
        assertThat(in(restored, "early", restoredEvents::get)).containsExactly("late");
        assertThat(in(restored, "late", restoredCount::get)).isEqualTo(2L);
        assertThat(in(restored, "late", () -> restoredHours.get(2))).isEqualTo(2L);
        assertThat(in(restored, "late", restoredEvents::get)).containsExactly("late");
        assertThat(restored.removeExpired()).isZero();

        checkpoint(restored, schemas(after, BUILT_IN), "chk-2-g1-a");
        StateBackend again = restored(kind, after, BUILT_IN, "chk-2-g1-a");
        assertThat(countOf(again, COUNT, "late")).isEqualTo(2L);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void valuesAndMapKeysOfAnOlderCodecVersionAreReadWithItAndStoredInTheNewOne(String kind) throws Exception {
        List<StateDescriptor> states = List.of(COUNT, PER_HOUR);
        StateCodecs v1 = VersionedCodecs.with(new VersionedCodecs.LongV1(), new VersionedCodecs.IntV1());
        StateBackend old = backend(kind, states, v1);
        ValueState<Long> count = handle(old, COUNT);
        MapState<Integer, Long> perHour = handle(old, PER_HOUR);
        for (long i = 0; i < 50; i++) {
            long n = i;
            write(old, "key-" + i, () -> {
                count.set(n);
                for (int hour = 0; hour < 12; hour++) {
                    perHour.put(hour * 10, n * hour);
                }
            });
        }
        checkpoint(old, schemas(states, v1), "chk-1-g1-a");

        StateCodecs v2 = VersionedCodecs.with(new VersionedCodecs.LongV2ReadingV1(), new VersionedCodecs.IntV2ReadingV1());
        StateBackend restored = restored(kind, states, v2, "chk-1-g1-a");
        assertRestored(restored);

        // The next checkpoint holds version 2 only: a codec that reads nothing older restores it.
        checkpoint(restored, schemas(states, v2), "chk-2-g1-a");
        StateCodecs v2Only = VersionedCodecs.with(new VersionedCodecs.LongV2(), new VersionedCodecs.IntV2ReadingV1());
        StateBackend again = restored(kind, states, v2Only, "chk-2-g1-a");
        assertRestored(again);
    }

    private static void assertRestored(StateBackend backend) {
        ValueState<Long> count = handle(backend, COUNT);
        MapState<Integer, Long> perHour = handle(backend, PER_HOUR);
        for (long i = 0; i < 50; i++) {
            long n = i;
            assertThat(in(backend, "key-" + i, count::get)).isEqualTo(n);
            assertThat(in(backend, "key-" + i, () -> perHour.get(70))).isEqualTo(7 * n);
            assertThat(in(backend, "key-" + i, perHour::keys)).hasSize(12);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aCodecVersionTheCodecCannotReadLeavesTheShardUnrecoverable(String kind) throws Exception {
        List<StateDescriptor> states = List.of(COUNT);
        StateCodecs v1 = VersionedCodecs.with(new VersionedCodecs.LongV1(), null);
        StateBackend old = backend(kind, states, v1);
        ValueState<Long> count = handle(old, COUNT);
        write(old, "a", () -> count.set(5L));
        checkpoint(old, schemas(states, v1), "chk-1-g1-a");
        checkpoint(old, schemas(states, v1), "chk-2-g1-a");

        StateCodecs v2 = VersionedCodecs.with(new VersionedCodecs.LongV2(), null);
        StateBackend restored = backend(kind, states, v2);
        CheckpointRestore.Outcome outcome = restore(restored, schemas(states, v2), "chk-2-g1-a", "chk-1-g1-a");
        assertThat(outcome).isInstanceOf(CheckpointRestore.Unrecoverable.class);
        CheckpointRestore.Unrecoverable unrecoverable = (CheckpointRestore.Unrecoverable) outcome;
        assertThat(unrecoverable.storageUnavailable()).isFalse();
        // The older checkpoint holds the same states: it is not tried.
        assertThat(unrecoverable.attempts()).singleElement().asString().startsWith("chk-2-g1-a")
                .contains("WordCounter.count (ValueState \"count\")", "stored by version 1 of codec app.LongCodec");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aStateNoLongerDeclaredIsRefusedOrDroppedAsConfigured(String kind) throws Exception {
        List<StateDescriptor> before = List.of(COUNT, PER_HOUR);
        StateBackend old = backend(kind, before, BUILT_IN);
        ValueState<Long> count = handle(old, COUNT);
        MapState<Integer, Long> perHour = handle(old, PER_HOUR);
        for (long i = 0; i < 20; i++) {
            long n = i;
            write(old, "key-" + i, () -> {
                count.set(n);
                perHour.put(1, n);
            });
        }
        checkpoint(old, schemas(before, BUILT_IN), "chk-1-g1-a");

        List<StateDescriptor> after = List.of(COUNT);
        CheckpointRestore.Outcome refused = restore(backend(kind, after, BUILT_IN), schemas(after, BUILT_IN), "chk-1-g1-a");
        assertThat(refused).isInstanceOf(CheckpointRestore.Unrecoverable.class);
        assertThat(((CheckpointRestore.Unrecoverable) refused).attempts()).singleElement().asString()
                .contains("WordCounter.perHour (MapState \"perHour\")", "no longer declares", "drop-undeclared-states");

        StateBackend restored = backend(kind, after, BUILT_IN);
        SchemaCheck dropping = new SchemaCheck(after, BUILT_IN, true);
        assertThat(restore(restored, dropping, "chk-1-g1-a")).isInstanceOf(CheckpointRestore.Restored.class);
        assertThat(countOf(restored, COUNT, "key-7")).isEqualTo(7L);

        // The next checkpoint, incremental as it may be, holds nothing of the dropped state.
        Set<String> restoredFiles = new java.util.HashSet<>();
        CheckpointManifest.fromJson(storage.read(SHARD + "/chk-1-g1-a/_manifest")).files()
                .forEach(file -> restoredFiles.add(file.name()));
        try (ShardSnapshot next = checkpoint(restored, schemas(after, BUILT_IN), "chk-2-g1-a", restoredFiles)) {
            assertThat(next.inherited()).isEmpty();
        }
        StateBackend again = restored(kind, after, BUILT_IN, "chk-2-g1-a");
        assertThat(countOf(again, COUNT, "key-7")).isEqualTo(7L);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aCheckpointWithAManifestOfTheFirstFormatStillRestores(String kind) throws Exception {
        List<StateDescriptor> states = List.of(COUNT, PER_HOUR);
        StateBackend old = backend(kind, states, BUILT_IN);
        ValueState<Long> count = handle(old, COUNT);
        MapState<Integer, Long> perHour = handle(old, PER_HOUR);
        write(old, "a", () -> {
            count.set(3L);
            perHour.put(4, 5L);
        });
        checkpoint(old, schemas(states, BUILT_IN), "chk-1-g1-a");
        String manifestPath = SHARD + "/chk-1-g1-a/" + CheckpointManifest.NAME;
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(storage.read(manifestPath));
        manifest.remove("states");
        manifest.putObject("codecs").put("app.WordCounter.count", "java.lang.Long@1")
                .put("app.WordCounter.perHour", "java.lang.Integer@1 -> java.lang.Long@1");
        storage.writeAtomically(manifestPath, json.writeValueAsBytes(manifest));

        StateBackend restored = restored(kind, states, BUILT_IN, "chk-1-g1-a");
        assertThat(countOf(restored, COUNT, "a")).isEqualTo(3L);
        MapState<Integer, Long> restoredHours = handle(restored, PER_HOUR);
        assertThat(in(restored, "a", () -> restoredHours.get(4))).isEqualTo(5L);
    }
}
