package io.keyedstate.deployment.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.keyedstate.checkpoint.SchemaCheck;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** Writes checkpoints as an earlier version of an application left them, for a test to start from. */
final class PreviousVersionCheckpoints {

    private PreviousVersionCheckpoints() {
    }

    /** Sets {@code state} of {@code key} in shard {@code shard} of {@code backend} to {@code value}. */
    @SuppressWarnings("unchecked")
    static void write(HeapStateBackend backend, int shard, String key, StateDescriptor state, Object value) {
        ValueState<Object> handle = (ValueState<Object>) backend.handle(state);
        CurrentShardKey.callWithin(new ShardKey(backend.shard(shard), key), () -> {
            handle.set(value);
            return null;
        });
    }

    /**
     * Stores shard {@code shard} of {@code backend} as checkpoint {@code chk-1-g1} in
     * {@code folder}, with offset 0 of input partition {@code input}.
     */
    static void checkpoint(HeapStateBackend backend, int shard, SchemaCheck schemas, Path folder, String input)
            throws IOException {
        Path checkpoint = Files.createDirectories(folder.resolve("chk-1-g1"));
        try (ShardSnapshot snapshot = backend.snapshot(shard, Set.of())) {
            List<CheckpointManifest.FileEntry> files = new ArrayList<>();
            for (Path file : snapshot.files()) {
                Path stored = Files.copy(file, checkpoint.resolve(file.getFileName()));
                CRC32C crc = new CRC32C();
                crc.update(Files.readAllBytes(stored));
                files.add(new CheckpointManifest.FileEntry(file.getFileName().toString(), Files.size(stored), crc.getValue(),
                        null));
            }
            CheckpointManifest manifest = new CheckpointManifest("chk-1-g1", 1, 1, false, null, backend.name(),
                    Instant.now(), Map.of(input, 0L), Map.of(), schemas.manifestStates(snapshot::holdsNothing), files, 0);
            Files.write(checkpoint.resolve(CheckpointManifest.NAME), manifest.toJson());
        }
    }
}
