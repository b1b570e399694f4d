package io.keyedstate.backend.rocksdb;

import java.nio.file.Path;
import java.util.Map;

/**
 * @param dir where this process keeps the RocksDB files of the shards it owns
 * @param memoryLimitBytes the cap on RocksDB's memory for the whole process: block cache, index and
 *        filter blocks, and memtables all count against it
 * @param writeBufferRatio the share of the cap that memtables may use
 * @param highPriorityPoolRatio the share of the cache reserved for index and filter blocks
 * @param profile a ready-made tuning, applied first
 * @param dbOptions RocksDB DB options by their RocksDB names, applied over the profile
 * @param columnFamilyOptions RocksDB column-family options by their RocksDB names, applied over the profile
 * @param statistics whether RocksDB collects its native statistics (a few percent of throughput)
 * @param writeCacheBytes the JVM heap that value states' latest writes may hold before they go to
 *        RocksDB, for the whole process; 0 writes every value at once
 */
public record RocksDbSettings(Path dir, long memoryLimitBytes, double writeBufferRatio, double highPriorityPoolRatio,
        RocksDbProfile profile, Map<String, String> dbOptions, Map<String, String> columnFamilyOptions,
        boolean statistics, long writeCacheBytes) {

    /** Settings with the default profile, no options passed through and a 16 MiB write cache. */
    public static RocksDbSettings of(Path dir, long memoryLimitBytes) {
        return new RocksDbSettings(dir, memoryLimitBytes, 0.5, 0.1, RocksDbProfile.DEFAULT, Map.of(), Map.of(), false,
                16L << 20);
    }
}
