package io.keyedstate.runtime;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.keyedstate.backend.rocksdb.RocksDbProfile;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** The RocksDB backend: the {@code quarkus.keyed-state.rocksdb.*} properties. */
@ConfigGroup
public interface RocksDbConfig {

    /**
     * The local directory of the RocksDB files of the shards this process owns. Each process
     * uses its own subdirectory (`process-<pid>-<random id>`, readable by its owner only), holds
     * a lock on it while it runs, and deletes it on exit. What a killed process left behind is
     * deleted by the next process that starts on the same directory, once the lock shows that
     * its owner is gone: several processes, or containers sharing a volume, can use one
     * directory. Defaults to `quarkus-keyed-state/rocksdb` under `java.io.tmpdir`.
     */
    Optional<Path> dir();

    /**
     * The most memory RocksDB may use in this process, whatever the number of partitions: block
     * cache, index and filter blocks, and memtables all count against it.
     */
    @WithDefault("256M")
    MemorySize memoryLimit();

    /** The share of `memory-limit` that memtables (write buffers) may take. */
    @WithDefault("0.5")
    double writeBufferRatio();

    /**
     * A ready-made tuning for the storage under `dir`: `default` (RocksDB's defaults), `flash-ssd`,
     * or `spinning-disk` (also for network block storage). `db-options` and
     * `column-family-options` are applied on top of it.
     */
    @WithDefault("default")
    RocksDbProfile profile();

    /**
     * Whether RocksDB collects its native statistics (cache hits and misses, bytes read, written
     * and compacted, write stalls), exposed as Micrometer metrics `keyed.state.rocksdb.*` when
     * the application has a Micrometer extension. Costs a few percent of throughput.
     */
    @WithDefault("false")
    boolean statistics();

    /**
     * JVM heap, for the whole process, that holds value states' latest writes before they go
     * to RocksDB. A key updated again while its value is held (a count per user, say) costs a
     * map update instead of a native call, a memtable insert and later compaction work, as with
     * Kafka Streams' record cache. Held values are written out when the cache is full (least
     * recently used first) and before every checkpoint, so checkpoints and recovery are
     * unchanged. Map and list states are not held. `0` writes every value at once.
     */
    @WithDefault("16M")
    MemorySize writeCacheSize();

    /** The share of the cache reserved for index and filter blocks, so data blocks cannot evict them. */
    @WithDefault("0.1")
    double highPriorityPoolRatio();

    /**
     * RocksDB DB options passed through, by their names in RocksDB's OPTIONS file, for example
     * `quarkus.keyed-state.rocksdb.db-options.max_background_jobs=4`.
     */
    @ConfigDocMapKey("rocksdb-option")
    Map<String, String> dbOptions();

    /**
     * RocksDB column-family options passed through, by their names in RocksDB's OPTIONS file, for
     * example `quarkus.keyed-state.rocksdb.column-family-options.compression=kLZ4Compression`.
     */
    @ConfigDocMapKey("rocksdb-option")
    Map<String, String> columnFamilyOptions();
}
