package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.keyedstate.backend.StateBackend;

/**
 * Which shards this instance owns, as the consumer group assigns and revokes their partitions, on
 * the consumers' polling threads: a partition taken on is fenced while its shard is restored in the
 * background, then sought to where the restored state ends and let in; a partition let go gets a
 * final checkpoint first, within the hand-over timeout, and its shard's local state is kept in case
 * the rebalance gives it straight back.
 * <p>
 * Over 300 lines because assignment, activation and revocation move one shard through the states
 * of its ownership, under its monitor, and read best together.
 */
final class ShardOwnership {

    private static final Logger LOG = Logger.getLogger(ShardOwnership.class);

    private final OwnedShards shards;
    private final StateBackend backend;
    private final CheckpointSettings settings;
    private final CheckpointScheduler scheduler;
    private final ShardGates gates;
    /** Drops released shards once idle, off the polling thread. */
    private final Executor worker;
    private final Set<KeyedStateCommitHandler> assignedOnce = ConcurrentHashMap.newKeySet();
    private final ShardRestores restores;

    ShardOwnership(OwnedShards shards, StateBackend backend, CheckpointSettings settings, ShardRestores restores,
            CheckpointScheduler scheduler, ShardGates gates, Executor worker) {
        this.shards = shards;
        this.backend = backend;
        this.settings = settings;
        this.restores = restores;
        this.scheduler = scheduler;
        this.gates = gates;
        this.worker = worker;
    }

    /**
     * SmallRye terminates a channel's commit handler before it closes the channel's consumer, and
     * the revocation that closing brings would then find the channel gone. So on a graceful stop
     * the channel's partitions are handed over here, with their final checkpoints and commits, on
     * the polling thread as in a rebalance; the consumer has been paused since the stop began.
     */
    void terminated(KeyedStateCommitHandler handler, io.smallrye.reactive.messaging.kafka.KafkaConsumer<?, ?> consumer,
            boolean graceful) {
        if (graceful) {
            try {
                // The final commits may take up to the consumer's default.api.timeout.ms past the handover timeout.
                consumer.runOnPollingThread(kafka -> {
                    revoked(handler, kafka, kafka.assignment());
                    return null;
                }).await().atMost(settings.handoverTimeout().plus(Duration.ofMinutes(1)));
            } catch (RuntimeException e) {
                LOG.warnf("Channel '%s' stopped without handing its partitions over (%s): their next owners restore"
                        + " their last checkpoints", handler.channel, Failures.rootMessage(e));
            }
        }
        unregister(handler);
    }

    private void unregister(KeyedStateCommitHandler handler) {
        shards.handlers().remove(handler);
        assignedOnce.remove(handler);
        handler.forgetAll();
        handler.topicIds.close();
    }

    /** Ready: every keyed channel has had its partitions assigned and no shard is being restored. */
    boolean restoring() {
        return !assignedOnce.containsAll(shards.handlers())
                || shards.all().stream().anyMatch(shard -> shard.restoring && !shard.owners.isEmpty());
    }

    /**
     * Takes partitions on without waiting for storage: the shards this instance did not own are
     * restored in the background, while their partitions are fenced off (see {@link RestoreFence})
     * and the consumer goes on polling, so that neither this consumer's other partitions nor a
     * rebalance of the group wait for a download. Each partition is sought to where its restored
     * state ends, and its records let in, once its shard is restored.
     */
    void assigned(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<OwnedShard> taken = new ArrayList<>();
        try {
            for (TopicPartition partition : partitions) {
                OwnedShard shard = shards.take(handler.channel, partition.partition());
                synchronized (shard) {
                    if (shard.owners.isEmpty() && shard.released) {
                        shard.released = false;
                        shard.generation = consumer.groupMetadata().generationId();
                        LOG.infof("Partition %s of channel '%s' comes back while its restore still runs: the restore"
                                + " goes on", shard.folderName, shard.channel);
                    } else if (shard.owners.isEmpty()) {
                        shard.generation = consumer.groupMetadata().generationId();
                        shard.ownership++;
                        shard.idle = CompletableFuture.completedFuture(null); // what an earlier release awaited is moot
                        shard.topicIds = Map.of();
                        shard.unrecoverable = null;
                        shard.restoring = true;
                        shard.decided = false;
                        taken.add(shard);
                    }
                    shard.owners.add(partition);
                    if (!shard.restoring) {
                        // Another topic of a co-partitioned shard that is already processing.
                        track(handler, consumer, shard, partition, -1);
                        continue;
                    }
                    handler.fence(consumer, partition);
                    // Where the group would have it start; records the fence drops move the position on.
                    shard.awaiting.computeIfAbsent(handler, h -> new LinkedHashMap<>()).put(partition,
                            position(consumer, partition));
                    if (shard.decided) {
                        long ownership = shard.ownership;
                        handler.onPollingThread(kafka -> activate(handler, kafka, shard, ownership));
                    }
                }
            }
        } finally {
            assignedOnce.add(handler);
        }
        // One assignment restores at most upload-threads shards at a time.
        Semaphore slots = new Semaphore(settings.uploadThreads());
        // The channel's topic ids, read once per assignment by the first restore that gets to it.
        CompletableFuture<Map<String, String>> topicIds = new CompletableFuture<>();
        Supplier<Map<String, String>> readOnce = () -> {
            synchronized (topicIds) {
                if (!topicIds.isDone()) {
                    topicIds.complete(handler.topicIds.read(settings.channelTopics().get(handler.channel),
                            restores.deadlineFromNow()));
                }
            }
            return topicIds.join();
        };
        taken.forEach(shard -> restores.start(handler, shard, slots, readOnce, this::decided));
        dropReleasedShardsExcept(handler, partitions);
    }

    private static long position(Consumer<?, ?> consumer, TopicPartition partition) {
        try {
            return consumer.position(partition);
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the position of %s (%s): its first checkpoint records none", partition,
                    e.getMessage());
            return -1;
        }
    }

    /** The shard's state is settled: each consumer holding one of its partitions lets it in, on its polling thread. */
    private void decided(OwnedShard shard, long ownership) {
        shard.decided = true;
        shard.awaiting.keySet().forEach(handler -> handler.onPollingThread(kafka -> activate(handler, kafka, shard, ownership)));
    }

    /** On the polling thread of {@code handler}'s consumer: seeks and lets in its partitions of a restored shard. */
    private void activate(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, OwnedShard shard, long ownership) {
        synchronized (shard) {
            Map<TopicPartition, Long> partitions = shard.ownership == ownership && shard.decided
                    ? shard.awaiting.remove(handler)
                    : null;
            if (partitions == null) {
                return;
            }
            Set<TopicPartition> assigned = consumer.assignment();
            partitions.forEach((partition, position) -> {
                if (assigned.contains(partition) && shard.owners.contains(partition)) {
                    track(handler, consumer, shard, partition, position);
                }
            });
            if (shard.awaiting.isEmpty()) {
                shard.checkpointedAtMillis = System.currentTimeMillis();
                shard.restoring = false; // last: a checkpoint that sees it sees every partition tracked
            }
        }
    }

    /**
     * On the polling thread, with the shard's monitor held: starts processing a partition of a
     * restored shard where its state ends, or keeps it fenced if the shard is unrecoverable.
     * {@code position}: where the group had it start at assignment, -1 if not read.
     */
    private void track(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, OwnedShard shard, TopicPartition partition,
            long position) {
        if (shard.unrecoverable != null) {
            return; // stays fenced: none of its records reaches a handler, and nothing of it is checkpointed
        }
        int generation = consumer.groupMetadata().generationId();
        long startTimestamp = shard.restoredTimestamps.getOrDefault(partition.toString(), Long.MIN_VALUE);
        long start = startOffset(consumer, partition, shard, position);
        InputPartition input = handler.track(partition, shard.id, generation, start, startTimestamp);
        handler.lift(consumer, partition);
        if (startTimestamp != Long.MIN_VALUE) {
            gates.timestampAdvanced(input); // the restored watermark, before any record is replayed
        }
        LOG.debugf("Channel '%s' owns %s from offset %d", handler.channel, partition, start);
    }

    /**
     * Where processing of {@code partition} starts, made explicit so that every manifest records
     * it: the restored checkpoint's offset, the beginning of the partition when it is reprocessed,
     * or else the group's committed position at assignment.
     */
    private static long startOffset(Consumer<?, ?> consumer, TopicPartition partition, OwnedShard shard, long position) {
        Long restored = shard.restoredOffsets.get(partition.toString());
        if (shard.fromBeginning) {
            consumer.seekToBeginning(List.of(partition));
            return position(consumer, partition);
        }
        if (restored != null) {
            consumer.seek(partition, restored);
            return restored;
        }
        if (shard.last != null) {
            LOG.warnf("The state of partition %s was restored from %s, which records no offset for %s: processing resumes"
                    + " at the group's committed offset", shard.folderName, shard.last.id(), partition);
        }
        if (position >= 0) {
            consumer.seek(partition, position);
            return position;
        }
        return position(consumer, partition);
    }

    void revoked(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!shards.handlers().contains(handler)) {
            return; // the consumer's close, after its channel stopped and let its partitions go
        }
        long deadline = System.nanoTime() + settings.handoverTimeout().toNanos();
        // From here on nothing polled before the revocation enters processing: not at the final
        // barrier, and not later, when a partition may already be back.
        partitions.forEach(handler::retire);
        if (!handler.awaitDispatched(Math.max(0, deadline - System.nanoTime()))) {
            LOG.errorf("Channel '%s' stops: records of %s polled before their revocation had not reached the channel's"
                    + " gates within %s, so they could be applied after the partitions come back, a second time. The"
                    + " Vert.x event loop of the channel was blocked (see any blocked-thread warnings above). Restart"
                    + " the application; it resumes from the partitions' last checkpoints", handler.channel, partitions,
                    settings.handoverTimeout());
            handler.fail(new IllegalStateException("records of revoked partitions " + partitions
                    + " did not reach the gates of channel '" + handler.channel + "' within " + settings.handoverTimeout()));
        }
        // Partitions lost (the member was dropped from the group) may already be processed by their
        // next owner: no final checkpoint, which would only race it.
        boolean lost = consumer.groupMetadata().generationId() < 0;
        if (lost) {
            LOG.warnf("Channel '%s' lost %s without a rebalance (this instance was dropped from its group): no final"
                    + " checkpoint, their next owner restores the last one", handler.channel, partitions);
        }
        Map<Integer, List<TopicPartition>> byShard = new TreeMap<>();
        partitions.forEach(tp -> byShard.computeIfAbsent(shards.id(handler.channel, tp.partition()),
                p -> new ArrayList<>()).add(tp));
        // All final checkpoints at once, within one handover timeout, however many partitions go.
        Map<Integer, CompletableFuture<CheckpointPipeline.Completed>> finals = new HashMap<>();
        byShard.keySet().forEach(id -> {
            OwnedShard shard = shards.get(id);
            if (shard != null && !lost && shard.unrecoverable == null && !shard.restoring) {
                finals.put(id, scheduler.checkpoint(shard, CheckpointPipeline.Purpose.CHECKPOINT));
            }
        });
        for (Map.Entry<Integer, List<TopicPartition>> entry : byShard.entrySet()) {
            OwnedShard shard = shards.get(entry.getKey());
            if (shard == null) {
                continue;
            }
            CompletableFuture<CheckpointPipeline.Completed> last = finals.get(shard.id);
            CheckpointPipeline.Completed completed = last == null ? null : handOver(shard, last, deadline, handler, consumer);
            synchronized (shard) {
                List<CompletableFuture<Long>> drained = new ArrayList<>();
                Map<TopicPartition, Long> awaiting = shard.awaiting.get(handler);
                entry.getValue().forEach(tp -> {
                    drained.add(handler.untrack(tp));
                    handler.forget(tp);
                    if (awaiting != null) {
                        awaiting.remove(tp);
                    }
                    shard.owners.remove(tp);
                });
                if (awaiting != null && awaiting.isEmpty()) {
                    shard.awaiting.remove(handler);
                }
                shard.idle = CompletableFuture.allOf(shard.idle, CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new)));
                if (shard.owners.isEmpty() && shard.restoring) {
                    // Let go before its restore ended. The restore goes on until the rebalance's assignment:
                    // an eager rebalance revokes every partition and gives most of them straight back.
                    shard.awaiting.clear();
                    shard.released = true;
                } else if (shard.owners.isEmpty()) {
                    shard.ownership++; // a checkpoint still running is abandoned before its manifest
                    shard.unrecoverable = null;
                    // Kept locally in case the partition comes straight back (eager rebalancing revokes everything).
                    shard.localCheckpoint = completed != null && completed.manifest() != null
                            ? completed.manifest().id()
                            : shard.last != null && completed != null ? shard.last.id() : null;
                    if (shard.localCheckpoint == null) {
                        dropWhenIdle(shard);
                    }
                }
            }
        }
    }

    /**
     * Drops a released shard once the records admitted before its release are done (a handler may
     * still run past a handover timeout, and would find its shard closed), unless the shard was
     * assigned again meanwhile.
     */
    private void dropWhenIdle(OwnedShard shard) {
        long released = shard.ownership;
        CompletableFuture<Void> idle = shard.idle;
        // An abandoned restore is awaited however long it takes: dropping the shard under it would use a closed one.
        shard.restoreEnded.thenCompose(ended -> idle.orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS))
                .handleAsync((ignored, failure) -> {
                    synchronized (shard) {
                        if (shard.ownership == released && shard.owners.isEmpty() && shard.localCheckpoint == null) {
                            backend.drop(shard.id);
                        }
                    }
                    return null;
                }, worker);
    }

    /** The final checkpoint before a partition is let go; null if it failed, a skipped result if nothing changed. */
    private CheckpointPipeline.Completed handOver(OwnedShard shard, CompletableFuture<CheckpointPipeline.Completed> finalCheckpoint, long deadline,
            KeyedStateCommitHandler handler, Consumer<?, ?> consumer) {
        try {
            CheckpointPipeline.Completed completed = finalCheckpoint.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (completed.manifest() != null) {
                Map<TopicPartition, OffsetAndMetadata> own = completed.offsets().getOrDefault(handler, Map.of());
                if (!own.isEmpty()) {
                    consumer.commitSync(own);
                }
                completed.offsets().forEach((other, offsets) -> {
                    if (other != handler) {
                        other.commit(offsets);
                    }
                });
            }
            return completed;
        } catch (TimeoutException e) {
            LOG.warnf("The final checkpoint of partition %s did not complete within %s; the partition is let go without"
                    + " it, and its next owner restores the previous checkpoint", shard.folderName, settings.handoverTimeout());
        } catch (Exception e) {
            LOG.warnf("The final checkpoint of partition %s failed (%s); its next owner restores the previous checkpoint",
                    shard.folderName, Failures.rootMessage(e));
        }
        return null;
    }

    /** Released shards of the channel that the rebalance did not give back are not coming back. */
    private void dropReleasedShardsExcept(KeyedStateCommitHandler handler, Collection<TopicPartition> assigned) {
        Set<Integer> kept = new HashSet<>();
        assigned.forEach(tp -> kept.add(shards.id(handler.channel, tp.partition())));
        shards.all().forEach(shard -> {
            synchronized (shard) {
                if (shard.channel.equals(handler.channel) && shard.owners.isEmpty() && shard.released
                        && !kept.contains(shard.id)) {
                    abandonRestore(shard);
                }
                if (shard.channel.equals(handler.channel) && shard.owners.isEmpty() && shard.localCheckpoint != null
                        && !kept.contains(shard.id)) {
                    shard.localCheckpoint = null;
                    dropWhenIdle(shard);
                }
            }
        });
    }

    /** A shard let go while restoring that did not come back: its restore stops, and what it wrote is dropped once it has. */
    private void abandonRestore(OwnedShard shard) {
        shard.released = false;
        shard.ownership++;
        shard.restoring = false;
        shard.decided = false;
        shard.awaiting.clear();
        shard.unrecoverable = null;
        shard.localCheckpoint = null;
        shard.restoreRun.abandon();
        LOG.debugf("The restore of partition %s was abandoned: the partition went to another instance", shard.folderName);
        dropWhenIdle(shard);
    }
}
