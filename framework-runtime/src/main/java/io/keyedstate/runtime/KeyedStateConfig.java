package io.keyedstate.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.keyedstate.backend.rocksdb.RocksDbProfile;
import io.keyedstate.checkpoint.UnrecoverableShardPolicy;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Keyed state at runtime. Over 300 lines because it declares every runtime property, with the
 * documentation the configuration reference is generated from.
 */
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

    /** The heap backend. */
    HeapConfig heap();

    /** The RocksDB backend. */
    RocksDbConfig rocksdb();

    /** Checkpoints: how state survives crashes, restarts and rebalances. */
    CheckpointConfig checkpoint();

    /** Timers of `@KeyedState Timers` fields. */
    TimersConfig timers();

    enum Backend {
        HEAP,
        ROCKSDB
    }

    @ConfigGroup
    interface TimersConfig {

        /**
         * How far behind the largest record timestamp seen on a partition its event-time watermark
         * stays: a record up to this much older than the newest one still arrives before the
         * event-time timers it concerns fire. `0s` fires as soon as a record's timestamp passes a
         * timer.
         */
        @WithDefault("0s")
        Duration outOfOrderness();

        /**
         * How often each partition is checked for processing-time timers that came due: the most a
         * processing-time timer fires late, and how soon timers restored from a checkpoint fire.
         */
        @WithDefault("100ms")
        Duration checkInterval();

        /**
         * The most timers fired in one go on a partition, while its records wait; more due timers
         * fire in the next go, after the records that waited.
         */
        @WithDefault("1000")
        int maxPerRound();
    }

    @ConfigGroup
    interface HeapConfig {

        /**
         * With incremental checkpoints, a heap shard is stored as a chain: one full file, then per
         * checkpoint a delta of the keys changed or removed since the one before. Every this many
         * checkpoints a new full file starts a new chain, which bounds what a restore reads and
         * replays. `1` stores every checkpoint in full.
         */
        @WithDefault("10")
        int fullSnapshotEvery();

        /**
         * Whether heap checkpoint files are compressed (deflate at its fastest level), in the
         * asynchronous part of a checkpoint. They shrink about fivefold for typical keys and values,
         * which is what goes over the network to S3 and back at a restore; RocksDB's files are
         * compressed by RocksDB itself. Files of either kind are read whatever this says.
         */
        @WithDefault("true")
        boolean snapshotCompression();
    }

    @ConfigGroup
    interface RocksDbConfig {

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

    @ConfigGroup
    interface CheckpointConfig {

        /**
         * How often a checkpoint is started. Each checkpoint snapshots every shard this instance
         * owns, together with the input offsets it reflects, and only then commits those offsets to
         * the consumer group: after a crash, processing resumes from the last checkpoint.
         */
        @WithDefault("10s")
        Duration interval();

        /** A checkpoint that has not completed after this long fails, and its partial files are removed. */
        @WithDefault("10m")
        Duration timeout();

        /** The least time between the end of one checkpoint and the start of the next. */
        @WithDefault("0s")
        Duration minPause();

        /**
         * How many checkpoints in a row may fail (storage outage, timeout) before the health check
         * reports the application as down. Processing goes on either way.
         */
        @WithDefault("3")
        int tolerableFailures();

        /**
         * Readiness is DOWN while a partition that has records not yet in a checkpoint has had no
         * checkpoint complete for this many intervals (since it was assigned, if none did since),
         * so that one stuck partition shows even when the other partitions' checkpoints succeed.
         */
        @WithDefault("10")
        int unhealthyAfterIntervals();

        /**
         * How long a partition's revocation (a rebalance, a graceful shutdown) waits for its final
         * checkpoint. Past it the partition is let go without one: its next owner restores the
         * previous checkpoint and processes the records since again, so state stays exact. The
         * final checkpoints run in the consumer's rebalance callback: startup fails unless this is
         * less than each keyed channel's `max.poll.interval.ms`.
         */
        @WithDefault("30s")
        Duration handoverTimeout();

        /** How many completed checkpoints to keep per partition; older ones are deleted. */
        @WithDefault("3")
        int retained();

        /** Where checkpoints are written: `filesystem` (a local or mounted directory) or `s3` (any S3-compatible store). */
        @WithDefault("filesystem")
        Storage storage();

        /** Checkpoints on a file system. */
        FilesystemConfig filesystem();

        /** Checkpoints in an S3-compatible store: MinIO, AWS S3 and others. */
        S3Config s3();

        /**
         * Whether a checkpoint stores only what the previous one did not. RocksDB: immutable SST
         * files are stored once, under `shared/`, and referenced by every later checkpoint that
         * still has them. Heap: a checkpoint stores the keys changed or removed since the previous
         * one (see `heap.full-snapshot-every`). Savepoints are always full.
         */
        @WithDefault("true")
        boolean incremental();

        /**
         * Files up to this size are stored inside the checkpoint's manifest rather than as objects
         * of their own. Each object costs a request (and, on S3, money): the state of a small
         * shard, a small delta and RocksDB's metadata files would otherwise cost several requests
         * per shard and checkpoint. `0` stores every file as an object.
         */
        @WithDefault("16K")
        MemorySize inlineThreshold();

        /**
         * How many files of checkpoints are written at the same time, and how many partitions of
         * one rebalance are restored at the same time.
         */
        @WithDefault("4")
        int uploadThreads();

        /**
         * The name of a savepoint to start from. Each partition's state is restored from this
         * savepoint unless the partition has a checkpoint taken since it was restored from it, so
         * that restarts after the first one continue from the latest checkpoint.
         */
        Optional<String> restoreFrom();

        /**
         * What to do with a partition that has checkpoints of which none can be restored: every one
         * is damaged (a missing or corrupt file, a manifest that does not decode), or the newest
         * holds states that do not match the application's: a state it no longer declares (see
         * `drop-undeclared-states`), another kind, type or codec, or a codec version the codec
         * cannot read. `fail`: the partition is not processed; an ERROR names every
         * checkpoint tried and why it failed, readiness is DOWN, and nothing of the partition is
         * committed or deleted until configuration says what to do. `reprocess`: the state starts
         * empty and the partition is read again from its beginning, which rebuilds the state exactly
         * if the topic still holds every record. `start-empty`: the state starts empty and processing
         * continues from the group's committed offset, losing what the state held (logged at WARN).
         * A storage that keeps failing for `restore-timeout` is not damage: such a partition is not
         * processed, whatever this says.
         */
        @WithDefault("fail")
        UnrecoverableShardPolicy unrecoverableShard();

        /**
         * Whether a restore drops the states a checkpoint holds that the application no longer
         * declares: a `@KeyedState` field removed, or its bean class or state name changed (the
         * state name is the field name unless `@KeyedState(name = ...)` sets it). By default such
         * a checkpoint is refused: an ERROR names the state, and the partition is unrecoverable
         * (see `unrecoverable-shard`), so that no state is lost by mistake. `true` drops what such
         * states hold, with a WARN naming each. A state that held nothing in the checkpoint is
         * dropped either way.
         */
        @WithDefault("false")
        boolean dropUndeclaredStates();

        /**
         * How long the restore of a partition retries storage errors that are not proven damage
         * (I/O errors, timeouts, server errors, throttling) before it gives up, counted from when
         * that restore starts (at most `upload-threads` partitions of one rebalance are restored at
         * a time). Restores run in the background, never in the consumer's
         * rebalance callback, so this may exceed `max.poll.interval.ms`: the partitions being
         * restored are held back while the consumer goes on polling its other partitions.
         */
        @WithDefault("1m")
        Duration restoreTimeout();

        /**
         * The keyed channel that wrote the checkpoints stored in the layout used before each keyed
         * channel had a storage folder of its own (`<application>/<topic>-<partition>`, and
         * `savepoints/<name>/<topic>-<partition>`). A channel whose own folder holds no checkpoint
         * yet takes over those of its topics' folder, and its checkpoints go to its own folder
         * from then on. Only needed when several keyed channels read exactly the same topics; unset,
         * such a partition is refused (see `unrecoverable-shard`) rather than given to either.
         */
        Optional<String> previousLayoutChannel();
    }

    @ConfigGroup
    interface FilesystemConfig {

        /**
         * The directory checkpoints are written to, shared by every instance of the application (a
         * mounted volume when instances run on several hosts). Checkpoints go to
         * `<path>/<quarkus.application.name>/`. Defaults to `quarkus-keyed-state/checkpoints` under
         * `java.io.tmpdir`, which does not survive a reboot: set it in production.
         */
        Optional<Path> path();
    }

    @ConfigGroup
    interface S3Config {

        /** The store's URL, for example `http://localhost:9000` (MinIO) or `https://s3.eu-west-1.amazonaws.com`. */
        Optional<String> endpoint();

        /** The bucket's region. */
        @WithDefault("us-east-1")
        String region();

        /** The bucket checkpoints go to. */
        Optional<String> bucket();

        /** Whether a missing bucket is created at startup; if not, a missing bucket fails the startup. */
        @WithDefault("true")
        boolean createBucket();

        /** A key prefix under which this application's checkpoints are stored, for sharing a bucket. */
        Optional<String> prefix();

        /**
         * The access key; `QUARKUS_KEYED_STATE_CHECKPOINT_S3_ACCESS_KEY` in the environment works
         * too. Outside dev mode a secret: left out of configuration listings and dumps.
         */
        Optional<String> accessKey();

        /**
         * The secret key; `QUARKUS_KEYED_STATE_CHECKPOINT_S3_SECRET_KEY` in the environment works
         * too. Never logged; outside dev mode a secret: left out of configuration listings and dumps.
         */
        Optional<String> secretKey();

        /**
         * The name of a TLS configuration of the Quarkus TLS registry (`quarkus.tls.<name>.trust-store.*`)
         * whose trust store verifies an `https` endpoint: for a store whose certificate a private
         * CA signed, or a self-signed one. Without it, `https` endpoints are verified against the
         * JVM's trusted CAs.
         */
        Optional<String> tlsConfigurationName();

        /**
         * Whether the bucket goes into the path (`http://host/bucket/key`), as MinIO and most
         * S3-compatible stores expect, rather than into the host name (AWS S3's virtual-hosted style).
         */
        @WithDefault("true")
        boolean pathStyle();

        /** The part size of multipart uploads: files are streamed from disk in parts of this size. */
        @WithDefault("16M")
        MemorySize partSize();

        /** How long connecting to the store may take. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** How long a single request (one part, one small object) may take. */
        @WithDefault("60s")
        Duration requestTimeout();

        /** How often a request that failed transiently (I/O error, 5xx, throttling) is tried, backing off exponentially. */
        @WithDefault("4")
        int attempts();
    }

    enum Storage {
        FILESYSTEM,
        S3
    }

    enum NullKeyPolicy {
        FAIL,
        SKIP
    }
}
