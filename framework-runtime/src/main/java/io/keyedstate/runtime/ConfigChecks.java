package io.keyedstate.runtime;

import java.util.Optional;
import java.util.Set;

import org.eclipse.microprofile.config.Config;

import io.keyedstate.checkpoint.StorageNames;

/**
 * Every check of the configuration that fails startup, in one place, run before anything is
 * created: each names the property, its value and what it accepts. (Checks that need a running
 * consumer, such as its poll interval and interceptors, are made when its channel starts.)
 */
final class ConfigChecks {

    private static final String S3 = "quarkus.keyed-state.checkpoint.s3.";
    private static final String TIMERS = "quarkus.keyed-state.timers.";

    private ConfigChecks() {
    }

    /** {@code mp}: where the channels' {@code mp.messaging.incoming.*} properties are read. */
    static void requireValid(KeyedStateConfig config, Config mp, Set<String> channels, boolean hasTimers) {
        for (String channel : channels) {
            requireKeyedCommitStrategy(mp, channel);
            requireFixedTopics(mp, channel);
        }
        if (config.backend() == KeyedStateConfig.Backend.ROCKSDB) {
            OptionalLibraries.requireRocksDb();
        }
        if (config.backend() == KeyedStateConfig.Backend.HEAP && config.heap().fullSnapshotEvery() < 1) {
            throw new IllegalArgumentException("quarkus.keyed-state.heap.full-snapshot-every="
                    + config.heap().fullSnapshotEvery() + ": it must be at least 1 (1 stores every checkpoint in full)");
        }
        CheckpointConfig checkpoint = config.checkpoint();
        if (checkpoint.storage() == CheckpointConfig.Storage.S3) {
            OptionalLibraries.requireMinio();
            requireS3(checkpoint.s3());
        }
        if (checkpoint.retained() < 1) {
            throw new IllegalArgumentException("quarkus.keyed-state.checkpoint.retained=" + checkpoint.retained()
                    + ": at least 1 checkpoint must be kept");
        }
        checkpoint.restoreFrom().filter(name -> !StorageNames.isSavepointName(name)).ifPresent(name -> {
            throw new IllegalArgumentException("quarkus.keyed-state.checkpoint.restore-from=" + name + ": "
                    + StorageNames.SAVEPOINT_NAME_RULE);
        });
        if (hasTimers) {
            requireTimers(config.timers());
        }
    }

    /**
     * Offsets of a keyed channel may only be committed with checkpoints: any other strategy would
     * commit records whose state is not durable yet, and lose it in a crash.
     */
    private static void requireKeyedCommitStrategy(Config mp, String channel) {
        String property = "mp.messaging.incoming." + channel + ".commit-strategy";
        mp.getOptionalValue(property, String.class).filter(strategy -> !strategy.equals(KeyedStateCommitStrategy.NAME))
                .ifPresent(strategy -> {
                    throw new IllegalArgumentException(property + "=" + strategy + ", but channel '" + channel
                            + "' has keyed state, whose checkpoints commit its offsets: remove the property (the"
                            + " default is " + KeyedStateCommitStrategy.NAME + ")");
                });
    }

    /** Checkpoints are stored per topic partition, so a keyed channel's topics must be known. */
    private static void requireFixedTopics(Config mp, String channel) {
        String prefix = "mp.messaging.incoming." + channel + ".";
        if (mp.getOptionalValue(prefix + "pattern", Boolean.class).orElse(false)) {
            throw new IllegalArgumentException(prefix + "pattern=true: a keyed channel needs fixed topics, because"
                    + " checkpoints are stored per topic partition");
        }
    }

    private static void requireS3(S3Config s3) {
        required(s3.endpoint(), S3 + "endpoint");
        required(s3.bucket(), S3 + "bucket");
        if (s3.accessKey().isPresent() != s3.secretKey().isPresent()) {
            throw new IllegalArgumentException(S3 + (s3.accessKey().isPresent() ? "secret-key" : "access-key")
                    + " must be set with " + S3 + (s3.accessKey().isPresent() ? "access-key" : "secret-key")
                    + ": configure both keys, or neither to take credentials from the environment, a profile file or"
                    + " the platform");
        }
        if (s3.sessionToken().isPresent() && s3.accessKey().isEmpty()) {
            throw new IllegalArgumentException(S3 + "session-token is set without " + S3 + "access-key and " + S3
                    + "secret-key: a session token belongs to those keys");
        }
        long partSize = s3.partSize().asLongValue();
        if (partSize < 5L << 20) {
            throw new IllegalArgumentException(S3 + "part-size=" + partSize
                    + ": S3 needs parts of at least 5 MiB (16M to 64M is a good range)");
        }
    }

    private static void required(Optional<String> value, String property) {
        if (value.filter(v -> !v.isBlank()).isEmpty()) {
            throw new IllegalArgumentException(property + " must be set when quarkus.keyed-state.checkpoint.storage=s3");
        }
    }

    private static void requireTimers(TimersConfig timers) {
        requirePositive(TIMERS + "max-per-round", timers.maxPerRound());
        requirePositive(TIMERS + "check-interval", timers.checkInterval().toMillis());
        if (timers.outOfOrderness().isNegative()) {
            throw new IllegalArgumentException(TIMERS + "out-of-orderness=" + timers.outOfOrderness()
                    + ": it must not be negative");
        }
    }

    private static void requirePositive(String property, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(property + "=" + value + ": it must be positive");
        }
    }
}
