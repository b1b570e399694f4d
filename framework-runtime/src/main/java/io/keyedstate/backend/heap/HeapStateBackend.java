package io.keyedstate.backend.heap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * Keyed state on the JVM heap: one {@link HeapShard} per input partition, created when the
 * shard is assigned (or its first record arrives) and dropped when it is revoked.
 */
public final class HeapStateBackend implements StateBackend {

    private final List<StateDescriptor> states;
    private final LongSupplier clock;
    private final Map<Integer, HeapShard> shards = new ConcurrentHashMap<>();
    private final int fullSnapshotEvery;
    private final HeapSizeEstimator sizeEstimator;
    private final HeapShardFile file;
    private final Path stagingDir;
    private final int[] timerStates;

    /** A backend whose size estimates encode with built-in codecs and a plain Jackson mapper. */
    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock) {
        this(states, clock, new StateCodecs(new ObjectMapper(), Map.of()), 10, true);
    }

    /**
     * @param fullSnapshotEvery the longest chain of checkpoint files (one full, then deltas) a shard
     *        is stored in; 1 stores every checkpoint in full
     * @param compress whether checkpoint files are compressed
     */
    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock, StateCodecs codecs, int fullSnapshotEvery,
            boolean compress) {
        if (fullSnapshotEvery < 1) {
            throw new IllegalArgumentException("fullSnapshotEvery must be at least 1, not " + fullSnapshotEvery);
        }
        this.states = List.copyOf(states);
        this.clock = clock;
        this.fullSnapshotEvery = fullSnapshotEvery;
        this.sizeEstimator = new HeapSizeEstimator(this.states, codecs);
        this.file = new HeapShardFile(this.states, codecs, compress);
        try {
            this.stagingDir = Files.createTempDirectory("keyed-state-heap-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a staging directory for heap checkpoints", e);
        }
        this.timerStates = this.states.stream().filter(state -> state.kind() == StateKind.TIMERS)
                .mapToInt(StateDescriptor::id).toArray();
        for (int i = 0; i < this.states.size(); i++) {
            if (this.states.get(i).id() != i) {
                throw new IllegalArgumentException("State ids must be dense and ordered: " + this.states);
            }
        }
    }

    @Override
    public HeapShard shard(int shardId) {
        return shards.computeIfAbsent(shardId, p -> new HeapShard(p, states.size(), timerStates, sizeEstimator));
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
            case TIMERS -> new HeapTimers(descriptor, clock);
        };
    }

    @Override
    public String name() {
        return "heap";
    }

    /**
     * A new edit epoch under the shard's write lock: the captured tries are never written again.
     * The files are a delta against the shard's last confirmed snapshot when that snapshot's chain
     * is reusable and shorter than {@code fullSnapshotEvery}; otherwise a full file starts a new chain.
     */
    @Override
    public ShardSnapshot snapshot(int shardId, Set<String> reusable) {
        HeapShard shard = shard(shardId);
        HeapSnapshot snapshot = shard.snapshot();
        HeapChainSnapshot.Chain chain = shard.chain();
        HeapChainSnapshot.Chain base = chain != null && chain.files().size() < fullSnapshotEvery && reusable.containsAll(chain.files())
                ? chain
                : null;
        // A name no stored file of the shard has, so the uploader never mistakes it for one.
        long seq = Math.max(chain == null ? 1 : chain.nextSeq(),
                reusable.stream().mapToLong(HeapShardFile::seq).max().orElse(0) + 1);
        // Kept by the shard snapshotted: a shard dropped or restored since is another object, with another base.
        return new HeapChainSnapshot(shard, snapshot, base, seq, file, stagingDir, shard::chain);
    }

    /**
     * Restores the chain of files in {@code dir}, which also becomes the base of the shard's next
     * delta, unless {@code plan} changed what they hold: then the next checkpoint is full, so that
     * no chain mixes files of two forms.
     */
    @Override
    public void restore(int shardId, Path dir, RestorePlan plan) throws IOException {
        List<Path> chain;
        try (var files = Files.list(dir)) {
            chain = files.filter(file -> HeapShardFile.seq(file.getFileName().toString()) >= 0)
                    .sorted(Comparator.comparingLong(file -> HeapShardFile.seq(file.getFileName().toString())))
                    .toList();
        }
        if (chain.isEmpty()) {
            throw new IOException("No heap-state file in the checkpoint");
        }
        PersistentHashMap<Object, Object>[] tables = file.read(chain, plan, clock.getAsLong());
        HeapShard shard = new HeapShard(shardId, tables, timerStates, sizeEstimator);
        List<String> names = chain.stream().map(path -> path.getFileName().toString()).toList();
        long nextSeq = HeapShardFile.seq(names.get(names.size() - 1)) + 1;
        if (!plan.changesState()) {
            shard.chain(new HeapChainSnapshot.Chain(new HeapSnapshot(shardId, tables), names, nextSeq));
        }
        shards.put(shardId, shard);
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
                case TIMERS -> stored; // timers have no time to live
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
        deleteQuietly(stagingDir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            LocalFiles.deleteRecursively(dir);
        } catch (IOException e) {
            // Temporary files only: what is left goes with the staging directory.
        }
    }
}
