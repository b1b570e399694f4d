package io.keyedstate.runtime;

import java.time.Duration;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Keyed state at runtime: the {@code quarkus.keyed-state.*} properties. Each group is a file of
 * its own ({@link CheckpointConfig}, {@link S3Config}, {@link HeapConfig}, {@link RocksDbConfig},
 * {@link TimersConfig}); {@link ConfigChecks} checks them all at startup.
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

    enum NullKeyPolicy {
        FAIL,
        SKIP
    }
}
