package io.keyedstate.backend.heap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;

/**
 * Keyed state on the JVM heap: one {@link HeapShard} per input partition, created when the
 * shard is assigned (or its first record arrives) and dropped when it is revoked.
 */
public final class HeapStateBackend implements StateBackend {

    private final List<StateDescriptor> states;
    private final LongSupplier clock;
    private final Map<Integer, HeapShard> shards = new ConcurrentHashMap<>();
    private final HeapSizeEstimator sizeEstimator;
    private final HeapShardFile file;
    private final Path stagingDir;

    /** A backend whose size estimates encode with built-in codecs and a plain Jackson mapper. */
    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock) {
        this(states, clock, new StateCodecs(new ObjectMapper(), Map.of()));
    }

    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock, StateCodecs codecs) {
        this.states = List.copyOf(states);
        this.clock = clock;
        this.sizeEstimator = new HeapSizeEstimator(this.states, codecs);
        this.file = new HeapShardFile(this.states, codecs);
        try {
            this.stagingDir = Files.createTempDirectory("keyed-state-heap-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a staging directory for heap checkpoints", e);
        }
        for (int i = 0; i < this.states.size(); i++) {
            if (this.states.get(i).id() != i) {
                throw new IllegalArgumentException("State ids must be dense and ordered: " + this.states);
            }
        }
    }

    @Override
    public HeapShard shard(int shardId) {
        return shards.computeIfAbsent(shardId, p -> new HeapShard(p, states.size(), sizeEstimator));
    }

    @Override
    public void drop(int shardId) {
        shards.remove(shardId);
    }

    @Override
    public Collection<HeapShard> shards() {
        return shards.values();
    }

    @Override
    public Object handle(StateDescriptor descriptor) {
        return switch (descriptor.kind()) {
            case VALUE -> new HeapValueState<>(descriptor, clock);
            case MAP -> new HeapMapState<>(descriptor, clock);
            case LIST -> new HeapListState<>(descriptor, clock);
        };
    }

    @Override
    public String name() {
        return "heap";
    }

    /** A new edit epoch under the shard's write lock: the captured tries are never written again. */
    @Override
    public ShardSnapshot snapshot(int shardId) {
        HeapSnapshot snapshot = shard(shardId).snapshot();
        return new ShardSnapshot() {
            private Path written;

            @Override
            public List<Path> files() throws IOException {
                written = Files.createTempDirectory(stagingDir, "shard-" + shardId + "-").resolve(HeapShardFile.NAME);
                file.write(snapshot, written);
                return List.of(written);
            }

            @Override
            public void close() {
                if (written != null) {
                    try {
                        Files.deleteIfExists(written);
                        Files.deleteIfExists(written.getParent());
                    } catch (IOException e) {
                        // A staging file left behind is removed with the staging directory.
                    }
                }
            }
        };
    }

    @Override
    public void restore(int shardId, Path dir) throws IOException {
        shards.put(shardId, new HeapShard(shardId, file.read(dir.resolve(HeapShardFile.NAME)), sizeEstimator));
    }

    @Override
    public Path stagingDir() {
        return stagingDir;
    }

    /** An entry is only removed if it is still the expired one that the sweep saw. */
    @Override
    public long removeExpired() {
        long now = clock.getAsLong();
        long changed = 0;
        for (HeapShard shard : shards.values()) {
            for (StateDescriptor state : states) {
                if (state.hasTtl()) {
                    changed += removeExpired(shard, state, now);
                }
            }
        }
        return changed;
    }

    @SuppressWarnings("unchecked")
    private static long removeExpired(HeapShard shard, StateDescriptor state, long now) {
        long changed = 0;
        for (Map.Entry<Object, Object> entry : shard.table(state.id())) {
            Object stored = entry.getValue();
            Object live = switch (state.kind()) {
                case VALUE -> StoredValues.isExpired(stored, now) ? null : stored;
                case MAP -> StoredValues.withoutExpired((PersistentHashMap<Object, Object>) stored, now);
                case LIST -> StoredValues.withoutExpired((StoredValues.Appended) stored, now);
            };
            if (live != stored) {
                shard.replaceIfSame(state.id(), entry.getKey(), stored, live);
                changed++;
            }
        }
        return changed;
    }

    @Override
    public void close() {
        shards.clear();
        try (var files = Files.walk(stagingDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Temporary files only.
        }
    }
}
