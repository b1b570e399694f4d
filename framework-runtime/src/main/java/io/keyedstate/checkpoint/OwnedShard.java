package io.keyedstate.checkpoint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

/**
 * A shard as the checkpointing sees it: one this instance owns, restores, or let go of recently,
 * with what its checkpoints, restores and hand-overs need to know. Fields are guarded by
 * {@code this}, or owned by the shard's running checkpoint. (The state itself is the backend's
 * {@code StateShard}; this is the bookkeeping around it.)
 */
final class OwnedShard {

    final int id;
    final String channel;
    final int partition;
    final StorageLayout.ShardPaths paths;
    /** {@code <topics>-<p>}, how logs name it. */
    final String folderName;
    final String folder;
    final Set<TopicPartition> owners = ConcurrentHashMap.newKeySet();
    long nextN = 1;
    /** The consumer-group generation of this instance's ownership; ranks checkpoints. */
    volatile int generation = Integer.MAX_VALUE;
    String origin;
    volatile CheckpointManifest last;
    Map<String, Long> restoredOffsets = Map.of();
    Map<String, Long> restoredTimestamps = Map.of();
    /** When the running restore of the shard began ({@link System#nanoTime()}). */
    long restoreStarted;
    /** Taken on, and its state not yet restored or its partitions not all let in: not processed, not checkpointed. */
    volatile boolean restoring;
    /** The restore of this ownership ended: its partitions may be let in. */
    boolean decided;
    /** Every partition was revoked while the restore ran; it goes on in case the rebalance gives the shard back. */
    boolean released;
    /** Per consumer, the shard's partitions waiting for the restore, with their position at assignment. */
    final Map<KeyedStateCommitHandler, Map<TopicPartition, Long>> awaiting = new HashMap<>();
    /** The last restore, to abandon when the shard is let go. */
    RestoreRun restoreRun = new RestoreRun();
    /** Completes when the last restore task ended, after its last write to the backend. */
    CompletableFuture<Void> restoreEnded = CompletableFuture.completedFuture(null);
    /** The ids of the shard's input topics read at its assignment, recorded in its manifests: those known. */
    volatile Map<String, String> topicIds = Map.of();
    /** Counts this instance's ownerships of the shard: a checkpoint of an earlier one writes no manifest. */
    volatile long ownership;
    /** Why the shard is not processed: none of its checkpoints could be restored; null if it is. */
    volatile String unrecoverable;
    /** The shard's state was lost and is rebuilt: its partitions are read from their beginning. */
    boolean fromBeginning;
    /** When the last checkpoint of the shard completed, or it was assigned if none did since. */
    volatile long checkpointedAtMillis;
    /** Completes once the records admitted before the shard's releases are done. Guarded by {@code this}. */
    CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);
    /** Shared files of the last checkpoint went missing: the next one stores everything. */
    volatile boolean fullNext;
    /** The checkpoint the local state of a released shard still equals, or null. */
    String localCheckpoint;
    /** The shard's last checkpoint run: the next one starts after it. Guarded by {@code this}. */
    CompletableFuture<CheckpointPipeline.Completed> tail = CompletableFuture.completedFuture(null);
    /** The last gated phase (a checkpoint's barrier and snapshot, or a timer round); guarded by {@code gateLock}. */
    CompletableFuture<Object> gated = CompletableFuture.completedFuture(null);
    final Object gateLock = new Object();

    OwnedShard(int id, String channel, int partition, StorageLayout.ShardPaths paths, String applicationFolder) {
        this.id = id;
        this.channel = channel;
        this.partition = partition;
        this.paths = paths;
        this.folderName = paths.name();
        this.folder = applicationFolder + "/" + paths.path();
    }

    /** Owned, restored and processed: what checkpoints and timer rounds run on. */
    boolean active() {
        return !owners.isEmpty() && unrecoverable == null && !restoring;
    }

    /** How readiness names it: several channels may read one topic. */
    String label() {
        return folderName + " (channel " + channel + ")";
    }

    /** Where a savepoint of it may be stored, relative to the savepoint's folder: a name in use at any is taken. */
    List<String> savepointPaths() {
        return paths.previousPath() == null ? List.of(paths.path()) : List.of(paths.path(), paths.previousPath());
    }

    /**
     * One restore task, which the shard's release interrupts (a download it waits for) while it
     * runs, and only then: its thread goes on to other work afterwards.
     */
    static final class RestoreRun {
        private Thread thread;
        private boolean abandoned;

        synchronized void started() throws InterruptedException {
            if (abandoned) {
                throw new InterruptedException();
            }
            thread = Thread.currentThread();
        }

        synchronized void abandon() {
            abandoned = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        synchronized void finished() {
            thread = null;
            Thread.interrupted(); // an abandon that came late leaves the pool's thread as it found it
        }
    }
}
