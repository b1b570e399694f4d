package io.keyedstate.backend.rocksdb;

import java.nio.file.Path;
import java.util.Map;

/**
 * @param dir where this process keeps the RocksDB files of the shards it owns
 * @param memoryLimitBytes the cap on RocksDB's memory for the whole process: block cache, index and
 *        filter blocks, and memtables all count against it
 * @param writeBufferRatio the share of the cap that memtables may use
 * @param highPriorityPoolRatio the share of the cache reserved for index and filter blocks
 * @param dbOptions RocksDB DB options by their RocksDB names, passed through
 * @param columnFamilyOptions RocksDB column-family options by their RocksDB names, passed through
 */
public record RocksDbSettings(Path dir, long memoryLimitBytes, double writeBufferRatio, double highPriorityPoolRatio,
        Map<String, String> dbOptions, Map<String, String> columnFamilyOptions) {
}
