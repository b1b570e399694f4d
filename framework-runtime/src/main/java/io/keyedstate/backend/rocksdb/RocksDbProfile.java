package io.keyedstate.backend.rocksdb;

import java.util.Map;

/**
 * Ready-made RocksDB tunings for common storage, as RocksDB option names and values; options
 * passed through in configuration are applied on top and win. They change speed, never
 * correctness, and none of them changes the memory cap.
 */
public enum RocksDbProfile {

    /** RocksDB's defaults, apart from what the memory cap itself sets. */
    DEFAULT(Map.of(), Map.of()),

    /** Local SSD or NVMe: more background threads and no file-handle churn. */
    FLASH_SSD(
            Map.of("max_background_jobs", "4", "max_open_files", "-1", "use_fsync", "false"),
            Map.of("level_compaction_dynamic_level_bytes", "true")),

    /**
     * Spinning disks and network block storage: fewer, larger, sequential reads and writes, so
     * bigger files, bigger blocks and compaction read-ahead.
     */
    SPINNING_DISK(
            Map.of("max_background_jobs", "4", "max_open_files", "-1", "use_fsync", "false",
                    "compaction_readahead_size", String.valueOf(2 << 20)),
            Map.of("level_compaction_dynamic_level_bytes", "true",
                    "target_file_size_base", String.valueOf(256 << 20),
                    "max_bytes_for_level_base", String.valueOf(1 << 30)));

    private final Map<String, String> dbOptions;
    private final Map<String, String> columnFamilyOptions;

    RocksDbProfile(Map<String, String> dbOptions, Map<String, String> columnFamilyOptions) {
        this.dbOptions = dbOptions;
        this.columnFamilyOptions = columnFamilyOptions;
    }

    public Map<String, String> dbOptions() {
        return dbOptions;
    }

    public Map<String, String> columnFamilyOptions() {
        return columnFamilyOptions;
    }
}
