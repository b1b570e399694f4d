package io.keyedstate.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.keyedstate.backend.rocksdb.RocksDbProfile;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Keyed state at runtime. */
@ConfigMapping(prefix = "quarkus.keyed-state")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface KeyedStateConfig {

    /**
     * Where keyed state lives. `heap`: on the JVM heap, fastest, bounded by the heap. `rocksdb`: in
     * an embedded RocksDB per partition, on local disk with a bounded memory cache; for state larger
     * than the heap.
     */
    @WithDefault("heap")
    Backend backend();

    /**
     * What happens to a record whose key is null on a channel of a bean with keyed state. Such a
     * record has no state to read or write. `fail`: it is nacked, and the channel's failure
     * strategy decides (`fail`, `ignore`, `dead-letter-queue`). `skip`: it is acknowledged without
     * calling the handler.
     */
    @WithDefault("fail")
    NullKeyPolicy nullKey();

    /**
     * How often expired values of states with a `ttl` are removed from memory. Expired values read
     * as absent at once; this only bounds how long they keep using memory.
     */
    @WithDefault("30s")
    Duration ttlCleanupInterval();

    /** The RocksDB backend. */
    RocksDbConfig rocksdb();

    enum Backend {
        HEAP,
        ROCKSDB
    }

    @ConfigGroup
    interface RocksDbConfig {

        /**
         * The local directory of the RocksDB files of the shards this process owns. Each process
         * uses its own subdirectory and deletes it on exit; what a killed process left behind is
         * deleted at the next start. Defaults to `quarkus-keyed-state/rocksdb` under `java.io.tmpdir`.
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

    enum NullKeyPolicy {
        FAIL,
        SKIP
    }
}
