package io.keyedstate.backend.rocksdb;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Statistics;
import org.rocksdb.WriteBufferManager;

/**
 * What every shard of the process shares, owned and closed as one: the block cache with a
 * write-buffer manager charged to it (so memory stays within the limit however many partitions
 * this instance owns), the bloom filter, the statistics, and the options every instance opens
 * with. Shards only borrow these; closing them is the backend's, after its last shard.
 */
final class RocksDbSharedResources implements AutoCloseable {

    private final Cache cache;
    private final WriteBufferManager writeBufferManager;
    private final BloomFilter bloomFilter;
    private final Statistics statistics;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;

    RocksDbSharedResources(RocksDbSettings settings) {
        long limit = settings.memoryLimitBytes();
        this.cache = new LRUCache(limit, -1, false, settings.highPriorityPoolRatio());
        this.writeBufferManager = new WriteBufferManager((long) (limit * settings.writeBufferRatio()), cache);
        this.bloomFilter = new BloomFilter(10, false);
        this.dbOptions = dbOptionsOf(settings.profile(), settings.dbOptions())
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
        this.columnOptions = columnFamilyOptionsOf(settings.profile(), settings.columnFamilyOptions())
                .setWriteBufferSize(writeBufferSize)
                .setTableFormatConfig(table);
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    ColumnFamilyOptions columnOptions() {
        return columnOptions;
    }

    /** RocksDB's native statistics, summed over every shard, if they are collected. */
    Optional<Statistics> statistics() {
        return Optional.ofNullable(statistics);
    }

    /** Bytes in the shared block cache, memtables charged to it included. */
    long blockCacheUsage() {
        return cache.getUsage();
    }

    /** Bytes of the block cache pinned by readers and by index and filter blocks. */
    long blockCachePinnedUsage() {
        return cache.getPinnedUsage();
    }

    /** In the reverse order of their use: options first, the cache they point to last. */
    @Override
    public void close() {
        columnOptions.close();
        dbOptions.close();
        if (statistics != null) {
            statistics.close();
        }
        bloomFilter.close();
        writeBufferManager.close();
        cache.close();
    }

    /** The profile's DB options with the configured ones on top. */
    static DBOptions dbOptionsOf(RocksDbProfile profile, Map<String, String> overrides) {
        return parsed(profile, profile.dbOptions(), overrides, DBOptions::new, DBOptions::getDBOptionsFromProps,
                "DB options", "db-options", "max_background_jobs=4");
    }

    /** The profile's column-family options with the configured ones on top. */
    static ColumnFamilyOptions columnFamilyOptionsOf(RocksDbProfile profile, Map<String, String> overrides) {
        return parsed(profile, profile.columnFamilyOptions(), overrides, ColumnFamilyOptions::new,
                ColumnFamilyOptions::getColumnFamilyOptionsFromProps, "column family options", "column-family-options",
                "compression=kLZ4Compression");
    }

    /** RocksJava answers null, not an error, for a name or value it does not know. */
    private static <T> T parsed(RocksDbProfile profile, Map<String, String> profileOptions, Map<String, String> overrides,
            Supplier<T> defaults, Function<Properties, T> fromProperties, String what, String property, String example) {
        Properties merged = new Properties();
        merged.putAll(profileOptions);
        merged.putAll(overrides);
        if (merged.isEmpty()) {
            return defaults.get();
        }
        T options = fromProperties.apply(merged);
        if (options == null) {
            throw new IllegalArgumentException("Invalid RocksDB " + what + " " + merged + " (profile " + profile
                    + ", quarkus.keyed-state.rocksdb." + property + "): use the names and values of RocksDB's OPTIONS file,"
                    + " e.g. " + example);
        }
        return options;
    }
}
