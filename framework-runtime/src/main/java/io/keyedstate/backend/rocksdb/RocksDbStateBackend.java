package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;

import io.keyedstate.backend.InstanceDirectory;
import io.keyedstate.backend.ShardClosedException;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;

/**
 * Keyed state in RocksDB: opens, restores, snapshots and drops the process's shards, one RocksDB
 * instance per input partition, all within one memory budget ({@link RocksDbSharedResources}):
 * memory stays within {@code memoryLimitBytes} however many partitions this instance owns, where
 * per-shard sizing is what gets containers killed.
 */
public final class RocksDbStateBackend implements StateBackend {

    private static final Logger LOG = Logger.getLogger(RocksDbStateBackend.class);
    private static final String PROCESS_DIR_PREFIX = "process-";

    private final List<StateDescriptor> states;
    private final StateCodecs codecs;
    private final LongSupplier clock;
    /** This instance's own directory, locked while it lives: see {@link InstanceDirectory}. */
    private final InstanceDirectory instanceDir;
    private final Path processDir;
    private final RocksDbSharedResources resources;
    private final Map<Integer, RocksDbShard> shards = new ConcurrentHashMap<>();

    private final long writeCacheBytes;

    public RocksDbStateBackend(List<StateDescriptor> states, StateCodecs codecs, RocksDbSettings settings, LongSupplier clock) {
        RocksDB.loadLibrary();
        this.states = List.copyOf(states);
        this.codecs = codecs;
        this.clock = clock;
        InstanceDirectory.deleteAbandoned(settings.dir(), PROCESS_DIR_PREFIX);
        try {
            this.instanceDir = InstanceDirectory.create(settings.dir(), PROCESS_DIR_PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for RocksDB under " + settings.dir(), e);
        }
        this.processDir = instanceDir.path();
        this.writeCacheBytes = settings.writeCacheBytes();

        this.resources = new RocksDbSharedResources(settings);
        LOG.infof("RocksDB state backend: memory capped at %,d bytes for the process, shards under %s",
                settings.memoryLimitBytes(), processDir);
    }

    /** RocksDB's native statistics, summed over every shard, if they are collected. */
    public Optional<Statistics> statistics() {
        return resources.statistics();
    }

    /** Bytes in the shared block cache, memtables charged to it included. */
    public long blockCacheUsage() {
        return resources.blockCacheUsage();
    }

    /** Bytes of the block cache pinned by readers and by index and filter blocks. */
    public long blockCachePinnedUsage() {
        return resources.blockCachePinnedUsage();
    }

    /** Each open shard's part of the write cache's budget (heap memory, not counted in the memory limit). */
    private long writeCacheShare() {
        return writeCacheBytes / Math.max(1, shards.size());
    }

    @Override
    public RocksDbShard shard(int shardId) {
        return shards.computeIfAbsent(shardId,
                p -> RocksDbInstanceOpener.open(p, shardDir(p), states, resources, this::writeCacheShare, codecs));
    }

    @Override
    public String name() {
        return "rocksdb";
    }

    /** See {@link RocksDbIncrementalSnapshot}. */
    @Override
    public ShardSnapshot snapshot(int shardId, Set<String> reusable) throws IOException {
        return RocksDbIncrementalSnapshot.take(shard(shardId), states, stagingDir());
    }

    @Override
    public void restore(int shardId, Path dir, RestorePlan plan) throws IOException {
        try {
            // Under the map's lock for this shard: no open of the same directory can slip in between.
            shards.compute(shardId, (id, previous) -> {
                if (previous != null) {
                    previous.close();
                }
                try {
                    return RocksDbInstanceOpener.restore(shardId, shardDir(shardId), dir, states, resources,
                            this::writeCacheShare, codecs, plan, clock.getAsLong());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public Path stagingDir() {
        Path staging = processDir.resolve("staging");
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + staging, e);
        }
        return staging;
    }

    /** This process's own directory under {@code dir}, with the shards' files. */
    Path processDir() {
        return processDir;
    }

    private Path shardDir(int shardId) {
        return processDir.resolve("shard-" + shardId);
    }

    @Override
    public void drop(int shardId) {
        // Closed and deleted under the map's lock for this shard, so that an open of the same shard
        // (a late user) waits for the directory to be gone rather than opening files being deleted.
        shards.computeIfPresent(shardId, (id, shard) -> {
            shard.close();
            return null;
        });
    }

    @Override
    public Collection<RocksDbShard> shards() {
        return shards.values();
    }

    @Override
    public Object handle(StateDescriptor descriptor) {
        return switch (descriptor.kind()) {
            case VALUE -> new RocksDbValueState<>(descriptor, codecs, clock);
            case MAP -> new RocksDbMapState<>(descriptor, codecs, clock);
            case LIST -> new RocksDbListState<>(descriptor, codecs, clock);
            case TIMERS -> new RocksDbTimers(descriptor, codecs, clock);
        };
    }

    /** Every stored value of a state with a TTL starts with its expiry, map entries and list elements included. */
    @Override
    public long removeExpired() {
        long now = clock.getAsLong();
        long removed = 0;
        for (RocksDbShard shard : shards.values()) {
            try {
                for (StateDescriptor state : states) {
                    if (!state.hasTtl()) {
                        continue;
                    }
                    try (RocksDbShard.Cursor it = shard.iterator(state.id())) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            if (StoredBytes.isExpired(it.value(), now) && shard.deleteIfExpired(state.id(), it.key(), now)) {
                                removed++;
                            }
                        }
                    }
                }
            } catch (ShardClosedException e) {
                // let go while it was swept: its next owner sweeps it
            }
        }
        return removed;
    }

    @Override
    public void close() {
        shards.keySet().forEach(this::drop);
        resources.close();
        instanceDir.close();
    }
}
