package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;

/**
 * What a restore reads, and from where. A manifest in storage can be changed by anyone with access
 * to storage: one naming a file outside the restore's staging folder is refused, nothing is written
 * there, and the checkpoint before it is restored. A shard with no complete checkpoint of its own
 * takes over its folder of the previous storage layout, unless that folder may be another
 * channel's.
 */
class CheckpointRestoreTest {

    private static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    private static final String SHARD = "app/words-0";
    private static final SchemaCheck SCHEMAS = new SchemaCheck(List.of(COUNT),
            new io.keyedstate.codec.StateCodecs(new ObjectMapper(), Map.of()), false);

    @TempDir
    Path root;

    private final HeapStateBackend backend = new HeapStateBackend(List.of(COUNT), System::currentTimeMillis);

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void aManifestNamingFilesOutsideStagingWritesNothingThereAndThePreviousCheckpointIsRestored() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root.resolve("storage"));
        set("key", 41L);
        CheckpointManifest good = manifest("chk-1-g1", snapshotFiles());
        storage.writeAtomically(SHARD + "/chk-1-g1/" + CheckpointManifest.NAME, good.toJson());

        Path absolute = root.resolve("absolute-" + UUID.randomUUID());
        byte[] payload = "not state".getBytes(StandardCharsets.UTF_8);
        List<String> escapes = List.of("../escape", "../../escape", absolute.toString(), "sub/escape");
        List<CheckpointManifest.FileEntry> files = new ArrayList<>();
        for (int i = 0; i < escapes.size(); i++) {
            files.add(CheckpointManifest.FileEntry.inline("placeholder-" + i, payload));
        }
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(manifest("chk-2-g1", files).toJson());
        for (int i = 0; i < escapes.size(); i++) {
            ((ObjectNode) json.get("files").get(i)).put("name", escapes.get(i));
        }
        storage.writeAtomically(SHARD + "/chk-2-g1/" + CheckpointManifest.NAME, new ObjectMapper().writeValueAsBytes(json));
        set("key", 99L); // what the restore must replace

        CheckpointRestore restore = new CheckpointRestore(storage, backend, SCHEMAS, java.time.Duration.ofSeconds(5));
        CheckpointRestore.Outcome restored = restore.restore(0, onlyCheckpoints(SHARD),
                folder -> List.of(new CheckpointId(2, 1, null), new CheckpointId(1, 1, null)), restore.deadlineFromNow());

        assertThat(restored).isInstanceOfSatisfying(CheckpointRestore.Restored.class,
                outcome -> assertThat(outcome.manifest().id()).isEqualTo("chk-1-g1"));
        assertThat(get("key")).isEqualTo(41L);
        Path staging = backend.stagingDir();
        assertThat(staging.resolve("escape")).doesNotExist();
        assertThat(staging.getParent().resolve("escape")).doesNotExist();
        assertThat(absolute).doesNotExist();
        try (var left = Files.list(staging)) {
            assertThat(left).as("what the restore left in %s", staging).isEmpty();
        }
    }

    private static final String PREVIOUS = "app/words-0";
    private static final String OWN = "app/channels/words/words-0";

    @Test
    void aShardWithoutCheckpointsOfItsOwnTakesOverItsFolderOfThePreviousLayout() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root.resolve("storage"));
        store(storage, PREVIOUS + "/chk-1-g1", 41L);
        storage.writeAtomically(OWN + "/chk-2-g1-abc/0.heap", new byte[] { 1 }); // a first checkpoint of its own that never completed
        set("key", 99L);

        CheckpointRestore.Outcome outcome = restore(storage, new CheckpointRestore.Source(OWN, PREVIOUS, null,
                Optional.empty(), null, null));

        assertThat(outcome).isInstanceOfSatisfying(CheckpointRestore.Restored.class, restored -> {
            assertThat(restored.manifest().id()).isEqualTo("chk-1-g1");
            assertThat(restored.previousLayout()).isTrue();
        });
        assertThat(get("key")).isEqualTo(41L);
    }

    @Test
    void thePreviousLayoutIsNotReadOnceTheShardHasACompleteCheckpointOfItsOwn() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root.resolve("storage"));
        store(storage, PREVIOUS + "/chk-1-g1", 41L);
        store(storage, OWN + "/chk-2-g1-abc", 42L);
        set("key", 99L);

        CheckpointRestore.Outcome outcome = restore(storage, new CheckpointRestore.Source(OWN, PREVIOUS, null,
                Optional.empty(), null, null));

        assertThat(outcome).isInstanceOfSatisfying(CheckpointRestore.Restored.class,
                restored -> assertThat(restored.previousLayout()).isFalse());
        assertThat(get("key")).isEqualTo(42L);
    }

    @Test
    void aFolderOfThePreviousLayoutThatSeveralChannelsMayHaveWrittenIsRefusedNamingTheWayOut() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root.resolve("storage"));
        store(storage, PREVIOUS + "/chk-1-g1", 41L);
        String conflict = new StorageLayout(Map.of("words", List.of("words"), "audit", List.of("words")), Optional.empty())
                .shard("words", 0).previousLayoutConflict();

        CheckpointRestore.Outcome outcome = restore(storage, new CheckpointRestore.Source(OWN, PREVIOUS, conflict,
                Optional.empty(), null, null));

        assertThat(outcome).isInstanceOfSatisfying(CheckpointRestore.Unrecoverable.class, refused -> {
            assertThat(refused.storageUnavailable()).isFalse();
            assertThat(refused.attempts()).singleElement().asString().contains(PREVIOUS, "'audit', 'words'",
                    "quarkus.keyed-state.checkpoint.previous-layout-channel");
        });
    }

    @Test
    void aSavepointTakenInThePreviousLayoutIsRestored() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root.resolve("storage"));
        store(storage, "app/savepoints/before/words-0", 41L);
        set("key", 99L);

        CheckpointRestore.Outcome outcome = restore(storage, new CheckpointRestore.Source(OWN, PREVIOUS, null,
                Optional.of("before"), "app/savepoints/before/channels/words/words-0", "app/savepoints/before/words-0"));

        assertThat(outcome).isInstanceOfSatisfying(CheckpointRestore.Restored.class, restored -> {
            assertThat(restored.fromSavepoint()).isTrue();
            assertThat(restored.previousLayout()).isTrue();
        });
        assertThat(get("key")).isEqualTo(41L);
    }

    /** A restore that lists the checkpoints in {@code folder} alone. */
    static CheckpointRestore.Source onlyCheckpoints(String folder) {
        return new CheckpointRestore.Source(folder, null, null, Optional.empty(), null, null);
    }

    private CheckpointRestore.Outcome restore(FilesystemCheckpointStorage storage, CheckpointRestore.Source source)
            throws InterruptedException {
        CheckpointRestore restore = new CheckpointRestore(storage, backend, SCHEMAS, java.time.Duration.ofSeconds(5));
        return restore.restore(0, source, folder -> {
            List<CheckpointId> ids = new ArrayList<>();
            for (String name : storage.list(folder)) {
                CheckpointId.parse(name).ifPresent(ids::add);
            }
            ids.sort(CheckpointId.newestFirst(1));
            return ids;
        }, restore.deadlineFromNow());
    }

    /** A complete checkpoint in {@code folder} whose state holds {@code count} for "key". */
    private void store(FilesystemCheckpointStorage storage, String folder, long count) throws Exception {
        set("key", count);
        String id = folder.substring(folder.lastIndexOf('/') + 1);
        CheckpointManifest manifest = manifest(id.startsWith("chk-") ? id : "chk-1-g1", snapshotFiles());
        storage.writeAtomically(folder + "/" + CheckpointManifest.NAME, manifest.toJson());
    }

    private CheckpointManifest manifest(String id, List<CheckpointManifest.FileEntry> files) {
        CheckpointId parsed = CheckpointId.parse(id).orElseThrow();
        return new CheckpointManifest(id, parsed.n(), parsed.generation(), false, null, backend.name(), Instant.now(),
                Map.of("words-0", 10L), Map.of(), SCHEMAS.manifestStates(state -> false), files, 0);
    }

    private List<CheckpointManifest.FileEntry> snapshotFiles() throws Exception {
        List<CheckpointManifest.FileEntry> files = new ArrayList<>();
        try (ShardSnapshot snapshot = backend.snapshot(0, Set.of())) {
            for (Path file : snapshot.files()) {
                files.add(CheckpointManifest.FileEntry.inline(file.getFileName().toString(), Files.readAllBytes(file)));
            }
        }
        return files;
    }

    @SuppressWarnings("unchecked")
    private void set(String key, long value) {
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        CurrentShardKey.callWithin(new ShardKey(backend.shard(0), key), () -> {
            count.set(value);
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private Long get(String key) {
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        return CurrentShardKey.callWithin(new ShardKey(backend.shard(0), key), count::get);
    }
}
