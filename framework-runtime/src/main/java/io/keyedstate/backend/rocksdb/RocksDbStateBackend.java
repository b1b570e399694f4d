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
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;
import org.rocksdb.WriteBufferManager;

import io.keyedstate.backend.InstanceDirectory;
import io.keyedstate.backend.ShardClosedException;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;

/**
 * Keyed state in RocksDB: one instance per input partition, one column family per state, and one
 * memory budget for the whole process. The block cache and a write-buffer manager charged to it
 * are shared by every shard, so memory stays within {@code memoryLimitBytes} however many
 * partitions this instance owns; per-shard sizing is what gets containers killed.
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
    private final Cache cache;
    private final WriteBufferManager writeBufferManager;
    private final BloomFilter bloomFilter;
    private final Statistics statistics;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;
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

        long limit = settings.memoryLimitBytes();
        this.cache = new LRUCache(limit, -1, false, settings.highPriorityPoolRatio());
        this.writeBufferManager = new WriteBufferManager((long) (limit * settings.writeBufferRatio()), cache);
        this.bloomFilter = new BloomFilter(10, false);
        this.dbOptions = dbOptions(settings.profile(), settings.dbOptions())
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWriteBufferManager(writeBufferManager);
        // One Statistics object for every shard: the metrics describe the process, like the memory cap.
        this.statistics = settings.statistics() ? new Statistics() : null;
        if (statistics != null) {
            dbOptions.setStatistics(statistics);
        }
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                // Index and filter blocks live in the cache, under the cap, not beside it.
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setFilterPolicy(bloomFilter);
        // Memtables larger than the whole write budget would only be flushed early.
        long writeBufferSize = Math.max(1 << 20, Math.min(64L << 20, (long) (limit * settings.writeBufferRatio() / 4)));
        this.columnOptions = columnFamilyOptions(settings.profile(), settings.columnFamilyOptions())
                .setWriteBufferSize(writeBufferSize)
                .setTableFormatConfig(table);
        LOG.infof("RocksDB state backend: memory capped at %,d bytes for the process, shards under %s", limit, processDir);
    }

    /** RocksDB's native statistics, summed over every shard, if they are collected. */
    public Optional<Statistics> statistics() {
        return Optional.ofNullable(statistics);
    }

    /** Bytes in the shared block cache, memtables charged to it included. */
    public long blockCacheUsage() {
        return cache.getUsage();
    }

    /** Bytes of the block cache pinned by readers and by index and filter blocks. */
    public long blockCachePinnedUsage() {
        return cache.getPinnedUsage();
    }

    /** Each open shard's part of the write cache's budget (heap memory, not counted in the memory limit). */
    private long writeCacheShare() {
        return writeCacheBytes / Math.max(1, shards.size());
    }

    @Override
    public RocksDbShard shard(int shardId) {
        return shards.computeIfAbsent(shardId,
                p -> RocksDbShard.open(p, shardDir(p), states, dbOptions, columnOptions, this::writeCacheShare, codecs));
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
                    return RocksDbShard.restore(shardId, shardDir(shardId), dir, states, dbOptions, columnOptions,
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
        columnOptions.close();
        dbOptions.close();
        if (statistics != null) {
            statistics.close();
        }
        bloomFilter.close();
        writeBufferManager.close();
        cache.close();
        instanceDir.close();
    }

    /** The profile's DB options with the configured ones on top. */
    static DBOptions dbOptions(RocksDbProfile profile, Map<String, String> overrides) {
        Properties merged = merge(profile.dbOptions(), overrides);
        if (merged.isEmpty()) {
            return new DBOptions();
        }
        DBOptions options = DBOptions.getDBOptionsFromProps(merged);
        if (options == null) {
            throw new IllegalArgumentException("Invalid RocksDB DB options " + merged + " (profile " + profile
                    + ", quarkus.keyed-state.rocksdb.db-options): use the names and values of RocksDB's OPTIONS file,"
                    + " e.g. max_background_jobs=4");
        }
        return options;
    }

    /** The profile's column-family options with the configured ones on top. */
    static ColumnFamilyOptions columnFamilyOptions(RocksDbProfile profile, Map<String, String> overrides) {
        Properties merged = merge(profile.columnFamilyOptions(), overrides);
        if (merged.isEmpty()) {
            return new ColumnFamilyOptions();
        }
        ColumnFamilyOptions options = ColumnFamilyOptions.getColumnFamilyOptionsFromProps(merged);
        if (options == null) {
            throw new IllegalArgumentException("Invalid RocksDB column family options " + merged + " (profile " + profile
                    + ", quarkus.keyed-state.rocksdb.column-family-options): use the names and values of RocksDB's"
                    + " OPTIONS file, e.g. compression=kLZ4Compression");
        }
        return options;
    }

    private static Properties merge(Map<String, String> profile, Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.putAll(profile);
        properties.putAll(overrides);
        return properties;
    }
}
