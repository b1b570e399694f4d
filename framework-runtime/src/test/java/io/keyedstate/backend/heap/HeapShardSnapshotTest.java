package io.keyedstate.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ValueState;
import io.keyedstate.backend.LocalFiles;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

class HeapShardSnapshotTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0, "java.lang.Long", "");

    @Test
    void aSnapshotKeepsTheStateOfItsInstantWhileWritesGoOn() {
        HeapStateBackend backend = new HeapStateBackend(List.of(COUNT), System::currentTimeMillis);
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        HeapShard shard = backend.shard(0);
        for (long i = 0; i < 10_000; i++) {
            long value = i;
            CurrentShardKey.callWithin(new ShardKey(shard, "key-" + i), () -> {
                count.set(value);
                return null;
            });
        }

        HeapSnapshot snapshot = shard.snapshot();
        for (long i = 0; i < 10_000; i++) {
            CurrentShardKey.callWithin(new ShardKey(shard, "key-" + i), () -> {
                count.set(count.get() + 1_000_000);
                return null;
            });
        }
        CurrentShardKey.callWithin(new ShardKey(shard, "new-key"), () -> {
            count.set(-1L);
            return null;
        });

        assertThat(snapshot.shardId()).isZero();
        assertThat(snapshot.tables()[0].size()).isEqualTo(10_000);
        assertThat(snapshot.tables()[0].get("key-42")).isEqualTo(42L);
        assertThat(snapshot.tables()[0].containsKey("new-key")).isFalse();
        assertThat(shard.table(0).get("key-42")).isEqualTo(1_000_042L);
    }

    /** Turning compression on or off between runs must not make existing checkpoints unreadable. */
    @Test
    void compressedAndUncompressedFilesRestoreWhicheverWayTheBackendWrites() throws Exception {
        for (boolean writerCompresses : new boolean[] { false, true }) {
            HeapStateBackend writer = backend(writerCompresses);
            HeapStateBackend reader = backend(!writerCompresses);
            try {
                @SuppressWarnings("unchecked")
                ValueState<Long> count = (ValueState<Long>) writer.handle(COUNT);
                for (long i = 0; i < 1_000; i++) {
                    long value = i;
                    CurrentShardKey.callWithin(new ShardKey(writer.shard(0), "key-" + i), () -> {
                        count.set(value);
                        return null;
                    });
                }
                Path dir = Files.createTempDirectory("heap-compression-");
                try (var snapshot = writer.snapshot(0, Set.of())) {
                    for (Path file : snapshot.files()) {
                        Files.copy(file, dir.resolve(file.getFileName()));
                    }
                }
                reader.restore(3, dir);
                assertThat(reader.shard(3).keyCount()).isEqualTo(1_000);
                assertThat(reader.shard(3).table(0).get("key-999")).isEqualTo(999L);
                LocalFiles.deleteRecursively(dir);
            } finally {
                writer.close();
                reader.close();
            }
        }
    }

    private static HeapStateBackend backend(boolean compress) {
        return new HeapStateBackend(List.of(COUNT), System::currentTimeMillis,
                new StateCodecs(new ObjectMapper(), Map.of()),
                10, compress);
    }
}
