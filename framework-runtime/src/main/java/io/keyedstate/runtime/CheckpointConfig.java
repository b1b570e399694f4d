package io.keyedstate.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.keyedstate.checkpoint.UnrecoverableShardPolicy;
import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Checkpoints and restores: the {@code quarkus.keyed-state.checkpoint.*} properties. */
@ConfigGroup
public interface CheckpointConfig {

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

    enum Storage {
        FILESYSTEM,
        S3
    }
}
