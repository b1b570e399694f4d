package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.scope.ShardIds;
import io.keyedstate.storage.CheckpointStorage;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;

/**
 * Takes checkpoints of every shard this instance owns and restores shards on assignment.
 * <p>
 * A checkpoint of shard {@code p}: close the gate of each input partition {@code p}; once every
 * record admitted before the gate is acknowledged, take the backend's snapshot (the synchronous
 * part) and reopen the gates; then, off the processing threads, write the files, the manifest
 * last, and only then commit the barrier offsets to the consumer group. Checkpoints of one shard
 * run one after the other; other shards are never held up. The coordinator does not know which
 * backend or storage it drives.
 */
public final class CheckpointCoordinator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointCoordinator.class);

    /** What a checkpoint run is for. */
    private record Purpose(boolean savepoint, String savepointName) {
        static final Purpose CHECKPOINT = new Purpose(false, null);
    }

    /**
     * A completed checkpoint of a shard and the offsets to commit, per channel.
     *
     * @param ownership the shard's ownership the checkpoint was taken in
     */
    record Completed(CheckpointManifest manifest, Map<KeyedStateCommitHandler, Map<TopicPartition, OffsetAndMetadata>> offsets,
            long ownership) {
    }

    private final StateBackend backend;
    private final CheckpointStorage storage;
    private final CheckpointSettings settings;
    private final ShardIds shardIds;
    private final SchemaCheck schemas;
    private final Set<KeyedStateCommitHandler> handlers = ConcurrentHashMap.newKeySet();
    private final Set<KeyedStateCommitHandler> assignedOnce = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    /** Short coordination work: barriers, snapshots, reopening gates. Never waits for storage. */
    private final ExecutorService worker;
    /** Writing checkpoints and retention: may wait on a slow or hanging storage, apart from the gates. */
    private final ExecutorService storageWork;
    private final ExecutorService uploads;
    /**
     * Restores of the shards of an assignment, side by side, at most {@code upload-threads} of one
     * assignment at a time; threads of their own, so that one channel's restores (waiting for a
     * frozen storage, say) never queue another channel's.
     */
    private final ExecutorService restores;
    private final CheckpointUploader uploader;
    private final CheckpointRestore restore;
    private final StorageLayout layout;
    private final AtomicInteger failureStreak = new AtomicInteger();
    private final AtomicLong completedCount = new AtomicLong();
    /** Names this process's checkpoints apart from those of any other incarnation of the same group member. */
    private final String ownerToken = CheckpointId.newOwnerToken();
    private volatile boolean closed;
    private volatile CheckpointManifest lastCompleted;
    private volatile TimestampListener timestampListener;

    public CheckpointCoordinator(StateBackend backend, CheckpointStorage storage, ShardIds shardIds,
            CheckpointSettings settings, SchemaCheck schemas) {
        this.backend = backend;
        this.storage = storage;
        this.shardIds = shardIds;
        this.settings = settings;
        this.schemas = schemas;
        this.layout = new StorageLayout(settings.channelTopics(), settings.previousLayoutChannel());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("keyed-state-checkpoint-timer"));
        this.worker = Executors.newFixedThreadPool(2, daemonThreads("keyed-state-checkpoint"));
        this.storageWork = Executors.newFixedThreadPool(settings.uploadThreads(), daemonThreads("keyed-state-storage"));
        this.uploads = Executors.newFixedThreadPool(settings.uploadThreads(), daemonThreads("keyed-state-upload"));
        this.restores = Executors.newCachedThreadPool(daemonThreads("keyed-state-restore"));
        this.uploader = new CheckpointUploader(storage, uploads, settings.inlineThreshold());
        this.restore = new CheckpointRestore(storage, backend, schemas, settings.restoreTimeout());
        LOG.infof("Keyed-state checkpoints every %s to %s/%s", settings.interval(), storage.describe(),
                settings.applicationFolder());
        timer.schedule(this::round, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(CheckpointListener listener) {
        listeners.add(listener);
    }

    /** The commit handler of a keyed channel, created by the connector through our commit strategy. */
    public KafkaCommitHandler commitHandler(String channel, boolean orderedByKey, boolean batch, KafkaConsumer<?, ?> consumer,
            BiConsumer<Throwable, Boolean> reportFailure) {
        KeyedStateCommitHandler handler = new KeyedStateCommitHandler(channel, orderedByKey, batch, consumer, this,
                reportFailure);
        requireHandoverWithinPollInterval(channel, consumer);
        requireRestoreFence(channel, consumer);
        for (KeyedStateCommitHandler other : handlers) {
            requireOwnGroup(handler, other);
        }
        handlers.add(handler);
        return handler;
    }

    /**
     * A rebalance runs the final checkpoints of revoked partitions in the consumer's callback,
     * without polling: past {@code max.poll.interval.ms} the group drops the member, and the
     * partitions move on again. Refused at startup. (Restores run in the background.)
     */
    private void requireHandoverWithinPollInterval(String channel, KafkaConsumer<?, ?> consumer) {
        String property = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
        Object configured = consumer.configuration().get(property);
        long pollInterval = Long.parseLong(String.valueOf(configured != null ? configured
                : ConsumerConfig.configDef().defaultValues().get(property)));
        if (settings.handoverTimeout().toMillis() >= pollInterval) {
            throw new IllegalStateException("quarkus.keyed-state.checkpoint.handover-timeout (" + settings.handoverTimeout()
                    + ") is not less than the " + pollInterval + " ms of mp.messaging.incoming." + channel + "." + property
                    + ": a rebalance could hold the consumer that long, and the group would drop it. Lower the timeout or"
                    + " raise " + property);
        }
    }

    /** Without the fence, records fetched while a partition is restored could reach its handler: refused at startup. */
    private static void requireRestoreFence(String channel, KafkaConsumer<?, ?> consumer) {
        Object configured = consumer.configuration().get(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
        List<String> classes = configured == null ? List.of()
                : List.of(String.valueOf(configured).replaceAll("[\\[\\]\\s]", "").split(","));
        if (!classes.contains(RestoreFence.class.getName())) {
            throw new IllegalStateException("mp.messaging.incoming." + channel + "." + ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG
                    + " is '" + configured + "', which lacks " + RestoreFence.class.getName() + ": a keyed channel"
                    + " needs it to keep records out while a partition's state is restored. Add it to the list");
        }
    }

    /**
     * Two keyed channels reading one topic in one consumer group would each get some of its
     * partitions, and each key's state would be split between them, with neither seeing all of its
     * records: refused at startup.
     */
    private void requireOwnGroup(KeyedStateCommitHandler handler, KeyedStateCommitHandler other) {
        Object group = handler.groupId();
        if (group == null || !group.equals(other.groupId())) {
            return;
        }
        settings.channelTopics().get(handler.channel).stream().filter(settings.channelTopics().get(other.channel)::contains)
                .findFirst().ifPresent(topic -> {
                    throw new IllegalStateException("Keyed channels '" + other.channel + "' and '" + handler.channel
                            + "' both read topic '" + topic + "' in consumer group '" + group + "': each would get only"
                            + " some of its partitions. Give each channel a group of its own, for example"
                            + " mp.messaging.incoming." + handler.channel + ".group.id=<application>-" + handler.channel);
                });
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
                        + " their last checkpoints", handler.channel, rootMessage(e));
            }
        }
        unregister(handler);
    }

    private void unregister(KeyedStateCommitHandler handler) {
        handlers.remove(handler);
        assignedOnce.remove(handler);
        handler.forgetAll();
        handler.topicIds.close();
    }

    /** Ready: every keyed channel has had its partitions assigned and no shard is being restored. */
    public boolean restoring() {
        return !assignedOnce.containsAll(handlers)
                || shards.values().stream().anyMatch(shard -> shard.restoring && !shard.owners.isEmpty());
    }

    /**
     * The partitions that have checkpoints of which none could be restored, and are therefore not
     * processed, by shard folder name, with why.
     */
    public Map<String, String> unrecoverableShards() {
        Map<String, String> unrecoverable = new TreeMap<>();
        shards.values().forEach(shard -> {
            String reason = shard.unrecoverable;
            if (reason != null && !shard.owners.isEmpty()) {
                unrecoverable.put(shard.label(), reason);
            }
        });
        return unrecoverable;
    }

    /**
     * The partitions with records not yet in a checkpoint whose last completed checkpoint (or,
     * without one, their assignment) is older than {@code checkpoint.unhealthy-after-intervals}
     * intervals, with the age in seconds.
     */
    public Map<String, Long> staleShards() {
        long now = System.currentTimeMillis();
        long limit = settings.interval().toMillis() * settings.unhealthyAfterIntervals();
        Map<String, Long> stale = new TreeMap<>();
        shards.values().forEach(shard -> {
            long age = now - shard.checkpointedAtMillis;
            if (age > limit && !shard.owners.isEmpty() && shard.unrecoverable == null && inputsOf(shard).keySet().stream()
                    .anyMatch(input -> input.changedSince(input.checkpointedOffset()))) {
                stale.put(shard.label(), age / 1000);
            }
        });
        return stale;
    }

    /** Checkpoints failed in a row, reset by the next round that completes. */
    public int failureStreak() {
        return failureStreak.get();
    }

    public int tolerableFailures() {
        return settings.tolerableFailures();
    }

    public long completedCount() {
        return completedCount.get();
    }

    /** The checkpoint of any shard that completed last, if any did since startup. */
    public Optional<CheckpointManifest> lastCompleted() {
        return Optional.ofNullable(lastCompleted);
    }

    // ---- assignment and revocation, on the consumer's polling thread ----

    /**
     * Takes partitions on without waiting for storage: the shards this instance did not own are
     * restored in the background, while their partitions are fenced off (see {@link RestoreFence})
     * and the consumer goes on polling, so that neither this consumer's other partitions nor a
     * rebalance of the group wait for a download. Each partition is sought to where its restored
     * state ends, and its records let in, once its shard is restored.
     */
    void assigned(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Shard> taken = new ArrayList<>();
        try {
            for (TopicPartition partition : partitions) {
                Shard shard = shards.computeIfAbsent(shardIds.id(handler.channel, partition.partition()), Shard::new);
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
                            restore.deadlineFromNow()));
                }
            }
            return topicIds.join();
        };
        taken.forEach(shard -> startRestore(handler, shard, slots, readOnce));
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

    private void startRestore(KeyedStateCommitHandler handler, Shard shard, Semaphore slots,
            Supplier<Map<String, String>> topicIds) {
        synchronized (shard) {
            long ownership = shard.ownership;
            CompletableFuture<Void> previous = shard.restoreEnded;
            CompletableFuture<Void> ended = new CompletableFuture<>();
            shard.restoreEnded = ended;
            RestoreRun run = new RestoreRun();
            shard.restoreRun = run;
            restores.execute(() -> {
                try {
                    previous.join(); // a restore of an earlier ownership, abandoned, writes the backend until it ends
                    CompletableFuture<Completed> tail;
                    synchronized (shard) {
                        tail = shard.tail;
                    }
                    // A checkpoint of a previous ownership still finishing; waited for outside the slots,
                    // which are for restores at work: on a frozen store it may take its whole timeout.
                    tail.handle((ignored, failure) -> null).join();
                    run.started();
                    slots.acquire();
                    try {
                        // Its own deadline from when it starts: it may have waited for a slot.
                        restoreInBackground(handler, shard, ownership, restore.deadlineFromNow(), topicIds);
                    } finally {
                        slots.release();
                    }
                } catch (InterruptedException e) {
                    // Abandoned (see abandonRestore), or the application stops.
                } catch (RuntimeException e) {
                    synchronized (shard) {
                        if (shard.ownership == ownership) {
                            failedRestore(shard, e);
                            decided(shard, ownership);
                        }
                    }
                } finally {
                    run.finished();
                    ended.complete(null);
                }
            });
        }
    }

    /** On a restore thread: restores the shard, checks the restored checkpoint against the log, then lets its partitions in. */
    private void restoreInBackground(KeyedStateCommitHandler handler, Shard shard, long ownership, long restoreUntil,
            Supplier<Map<String, String>> channelTopicIds) throws InterruptedException {
        Map<String, String> topicIds = channelTopicIds.get();
        CheckpointRestore.Restored restored = restoreState(shard, ownership, restoreUntil, topicIds);
        LogCheck.Verdict verdict = restored == null ? null
                : LogCheck.check(restored.manifest().offsets(), restored.manifest().topicIds(), topicIds,
                        partitions -> handler.topicIds.offsets(partitions, false, restoreUntil),
                        partitions -> handler.topicIds.offsets(partitions, true, restoreUntil));
        synchronized (shard) {
            if (shard.ownership != ownership) {
                return; // let go meanwhile: the revocation drops what this restore wrote
            }
            shard.topicIds = Map.copyOf(topicIds);
            if (restored != null) {
                accept(shard, restored, verdict);
            }
            decided(shard, ownership);
        }
    }

    /** The shard's state is settled: each consumer holding one of its partitions lets it in, on its polling thread. */
    private void decided(Shard shard, long ownership) {
        shard.decided = true;
        shard.awaiting.keySet().forEach(handler -> handler.onPollingThread(kafka -> activate(handler, kafka, shard, ownership)));
    }

    /** On the polling thread of {@code handler}'s consumer: seeks and lets in its partitions of a restored shard. */
    private void activate(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Shard shard, long ownership) {
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
    private void track(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Shard shard, TopicPartition partition,
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
            timestampAdvanced(input); // the restored watermark, before any record is replayed
        }
        LOG.debugf("Channel '%s' owns %s from offset %d", handler.channel, partition, start);
    }

    /**
     * Where processing of {@code partition} starts, made explicit so that every manifest records
     * it: the restored checkpoint's offset, the beginning of the partition when it is reprocessed,
     * or else the group's committed position at assignment.
     */
    private static long startOffset(Consumer<?, ?> consumer, TopicPartition partition, Shard shard, long position) {
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

    /**
     * Restores the state of a shard this instance takes over, on a restore thread, holding its
     * monitor only between storage calls: from its local state if that still equals its newest
     * checkpoint, else from storage. Returns the checkpoint restored from storage, to be checked
     * against the log; null if there is none to check (local state, no checkpoint, none
     * restorable, or the shard let go meanwhile).
     */
    private CheckpointRestore.Restored restoreState(Shard shard, long ownership, long restoreUntil,
            Map<String, String> topicIds) throws InterruptedException {
        String localCheckpoint;
        synchronized (shard) {
            localCheckpoint = shard.localCheckpoint;
            shard.localCheckpoint = null;
            shard.fromBeginning = false;
        }
        AtomicLong maxN = new AtomicLong();
        List<CheckpointId> listed = null;
        Optional<CheckpointId> newest = Optional.empty();
        try {
            listed = checkpointIds(shard);
            listed.forEach(id -> maxN.accumulateAndGet(id.n(), Math::max));
            newest = newestComplete(shard, listed);
        } catch (IOException e) {
            listed = null; // the restore lists again, retrying storage errors
        }
        CheckpointManifest last = shard.last;
        if (localCheckpoint != null && newest.isPresent() && newest.get().name().equals(localCheckpoint)
                && last != null && last.id().equals(localCheckpoint)
                && LogCheck.recreated(last.topicIds(), topicIds).isEmpty()) {
            synchronized (shard) {
                shard.nextN = Math.max(shard.nextN, maxN.get() + 1);
                // Processing resumes where that checkpoint ends, not where the shard was first restored from.
                shard.restoredOffsets = last.offsets();
                shard.restoredTimestamps = last.timestamps();
            }
            LOG.debugf("Partition %s comes back; its local state still matches %s", shard.folderName, localCheckpoint);
            return null;
        }
        long started = System.nanoTime();
        Optional<String> savepoint = settings.restoreFrom();
        List<CheckpointId> alreadyListed = listed;
        String previous = shard.paths.previousPath();
        CheckpointRestore.Source source = new CheckpointRestore.Source(shard.folder,
                previous == null ? null : settings.applicationFolder() + "/" + previous, shard.paths.previousLayoutConflict(),
                savepoint, savepoint.map(name -> savepointFolder(name) + "/" + shard.paths.path()).orElse(null),
                previous == null ? null : savepoint.map(name -> savepointFolder(name) + "/" + previous).orElse(null));
        CheckpointRestore.Outcome outcome = restore.restore(shard.id, source, folder -> {
            if (alreadyListed != null && folder.equals(shard.folder)) {
                return alreadyListed;
            }
            List<CheckpointId> ids = checkpointIds(folder, shard.generation);
            ids.forEach(id -> maxN.accumulateAndGet(id.n(), Math::max));
            return ids;
        }, restoreUntil);
        synchronized (shard) {
            shard.nextN = Math.max(shard.nextN, maxN.get() + 1);
            if (shard.ownership != ownership) {
                return null;
            }
            startEmpty(shard);
            if (outcome instanceof CheckpointRestore.NeverCheckpointed) {
                LOG.infof("Partition %s has no checkpoint in %s/%s: its state starts empty", shard.folderName,
                        storage.describe(), shard.folder);
                return null;
            }
            if (outcome instanceof CheckpointRestore.Unrecoverable failed) {
                unrecoverable(shard, failed.attempts(), failed.storageUnavailable());
                return null;
            }
            shard.restoreStarted = started;
            return (CheckpointRestore.Restored) outcome;
        }
    }

    /**
     * Takes a restored checkpoint on if its offsets still fit the log: of the same topic, neither
     * past its end nor before its start. With the shard's monitor held.
     */
    private void accept(Shard shard, CheckpointRestore.Restored restored, LogCheck.Verdict verdict) {
        Optional<String> savepoint = settings.restoreFrom();
        CheckpointManifest manifest = restored.manifest();
        if (verdict instanceof LogCheck.Recreated recreated) {
            backend.drop(shard.id);
            if (restored.fromSavepoint()) {
                // Asked for by name: starting empty instead would pass for the restore that was asked for.
                unrecoverable(shard, List.of("savepoint '" + savepoint.orElse(manifest.id()) + "' (" + manifest.id()
                        + ") was taken of another topic of the same name: " + recreated.describe()
                        + "; its offsets belong to the topic that is gone"), false);
                return;
            }
            LOG.warnf("Partition %s: %s, so the topic was deleted and created again since checkpoint %s. That checkpoint's"
                    + " offsets belong to the topic that is gone: the state starts empty, and processing starts at the"
                    + " group's committed offset (or auto.offset.reset), as for a new topic", shard.folderName,
                    recreated.describe(), manifest.id());
            return;
        }
        String unusable = verdict instanceof LogCheck.BeyondLogEnd beyond ? beyond.reason()
                : verdict instanceof LogCheck.BelowLogStart below ? below.reason() : null;
        if (unusable != null) {
            backend.drop(shard.id);
            unrecoverable(shard, List.of(manifest.id() + " " + unusable), false);
            return;
        }
        shard.restoredOffsets = manifest.offsets();
        shard.restoredTimestamps = manifest.timestamps();
        shard.origin = manifest.savepoint() ? savepoint.orElse(manifest.origin()) : manifest.origin();
        shard.last = manifest;
        if (restored.previousLayout()) {
            // Its shared files stay where they are: the first checkpoint in the new folder stores everything.
            shard.fullNext = true;
            LOG.infof("Partition %s of channel '%s' takes over %s from the previous storage layout (%s/%s); its"
                    + " checkpoints now go to %s/%s. Once one is stored there, the old folder is no longer read and"
                    + " may be deleted", shard.folderName, shard.channel, manifest.id(), storage.describe(),
                    settings.applicationFolder() + "/" + shard.paths.previousPath(), storage.describe(), shard.folder);
        }
        long nanos = System.nanoTime() - shard.restoreStarted;
        LOG.infof("Restored partition %s from %s (%,d bytes, offsets %s) in %d ms", shard.folderName, manifest.id(),
                manifest.totalBytes(), manifest.offsets(), TimeUnit.NANOSECONDS.toMillis(nanos));
        listeners.forEach(listener -> listener.restored(shard.channel, shard.partition, manifest, nanos));
    }

    private static void startEmpty(Shard shard) {
        shard.restoredOffsets = Map.of();
        shard.restoredTimestamps = Map.of();
        shard.origin = null;
        shard.last = null;
    }

    /**
     * A shard with checkpoints of which none can be restored: never processed with state it is not
     * sure of. Unless configuration says otherwise, it is kept from processing; on storage that
     * kept failing, always.
     */
    private void unrecoverable(Shard shard, List<String> attempts, boolean storageUnavailable) {
        String tried = attempts.stream().map(attempt -> "\n  - " + attempt).collect(java.util.stream.Collectors.joining());
        UnrecoverableShardPolicy policy = storageUnavailable ? UnrecoverableShardPolicy.FAIL : settings.unrecoverableShard();
        backend.drop(shard.id);
        switch (policy) {
            case REPROCESS -> {
                shard.fromBeginning = true;
                LOG.warnf("Partition %s has checkpoints in %s/%s, but none can be restored:%s%nAs configured"
                        + " (quarkus.keyed-state.checkpoint.unrecoverable-shard=reprocess), its state starts empty and the"
                        + " partition is read again from its beginning: the state is exact only if the topic still holds"
                        + " every record", shard.folderName, storage.describe(), shard.folder, tried);
            }
            case START_EMPTY -> LOG.warnf("Partition %s has checkpoints in %s/%s, but none can be restored:%s%nAs configured"
                    + " (quarkus.keyed-state.checkpoint.unrecoverable-shard=start-empty), its state starts empty and"
                    + " processing continues from the group's committed offset: what the state held is lost",
                    shard.folderName, storage.describe(), shard.folder, tried);
            case FAIL -> {
                shard.unrecoverable = storageUnavailable
                        ? "checkpoint storage kept failing for " + settings.restoreTimeout() + " while restoring it"
                        : "none of its checkpoints can be restored";
                LOG.errorf("Partition %s has checkpoints in %s/%s, but %s:%s%nIts records are not processed, and nothing"
                        + " of it is committed or deleted; readiness is DOWN. Ways out: %s", shard.folderName,
                        storage.describe(), shard.folder, storageUnavailable
                                ? "storage kept failing for " + settings.restoreTimeout() + " (quarkus.keyed-state"
                                        + ".checkpoint.restore-timeout)"
                                : "none of them can be restored",
                        tried, storageUnavailable
                                ? "once storage answers again, restart the instance or let the partition move (a"
                                        + " rebalance restores it again)"
                                : "restore a savepoint (quarkus.keyed-state.checkpoint.restore-from=<name>); or set"
                                        + " quarkus.keyed-state.checkpoint.unrecoverable-shard=reprocess to rebuild the"
                                        + " state from the beginning of the partition, or =start-empty to drop it and"
                                        + " continue from the committed offset; then restart");
            }
        }
    }

    /** A restore that failed for a reason other than storage or the checkpoints: the shard is not processed. */
    private void failedRestore(Shard shard, RuntimeException failure) {
        backend.drop(shard.id);
        startEmpty(shard);
        shard.unrecoverable = "restoring it failed: " + rootMessage(failure);
        LOG.errorf(failure, "Restoring partition %s of channel '%s' failed. Its records are not processed, and nothing of it is"
                + " committed or deleted; readiness is DOWN. Restart the instance, or let the partition move (a rebalance"
                + " restores it again), once the cause is fixed", shard.folderName, shard.channel);
    }

    void revoked(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!handlers.contains(handler)) {
            return; // the consumer's close, after its channel stopped and let its partitions go
        }
        // Partitions lost (the member was dropped from the group) may already be processed by their
        // next owner: no final checkpoint, which would only race it.
        boolean lost = consumer.groupMetadata().generationId() < 0;
        if (lost) {
            LOG.warnf("Channel '%s' lost %s without a rebalance (this instance was dropped from its group): no final"
                    + " checkpoint, their next owner restores the last one", handler.channel, partitions);
        }
        Map<Integer, List<TopicPartition>> byShard = new TreeMap<>();
        partitions.forEach(tp -> byShard.computeIfAbsent(shardIds.id(handler.channel, tp.partition()),
                p -> new ArrayList<>()).add(tp));
        // All final checkpoints at once, within one handover timeout, however many partitions go.
        Map<Integer, CompletableFuture<Completed>> finals = new HashMap<>();
        byShard.keySet().forEach(id -> {
            Shard shard = shards.get(id);
            if (shard != null && !lost && shard.unrecoverable == null && !shard.restoring) {
                finals.put(id, checkpoint(shard, Purpose.CHECKPOINT));
            }
        });
        long deadline = System.nanoTime() + settings.handoverTimeout().toNanos();
        for (Map.Entry<Integer, List<TopicPartition>> entry : byShard.entrySet()) {
            Shard shard = shards.get(entry.getKey());
            if (shard == null) {
                continue;
            }
            CompletableFuture<Completed> last = finals.get(shard.id);
            Completed completed = last == null ? null : handOver(shard, last, deadline, handler, consumer);
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
    private void dropWhenIdle(Shard shard) {
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
    private Completed handOver(Shard shard, CompletableFuture<Completed> finalCheckpoint, long deadline,
            KeyedStateCommitHandler handler, Consumer<?, ?> consumer) {
        try {
            Completed completed = finalCheckpoint.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
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
                    shard.folderName, rootMessage(e));
        }
        return null;
    }

    /** Released shards of the channel that the rebalance did not give back are not coming back. */
    private void dropReleasedShardsExcept(KeyedStateCommitHandler handler, Collection<TopicPartition> assigned) {
        Set<Integer> kept = new HashSet<>();
        assigned.forEach(tp -> kept.add(shardIds.id(handler.channel, tp.partition())));
        shards.values().forEach(shard -> {
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
    private void abandonRestore(Shard shard) {
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

    // ---- checkpoints ----

    private void round() {
        if (closed) {
            return;
        }
        long started = System.nanoTime();
        // Retention goes on in the background: a store that hangs must not keep the next round from starting.
        runOnAllShards(Purpose.CHECKPOINT, false).whenComplete((ignored, failure) -> {
            if (failure == null) {
                failureStreak.set(0);
            } else {
                int streak = failureStreak.incrementAndGet();
                LOG.warnf("Checkpoint failed (%d in a row, %d tolerated): %s", streak, settings.tolerableFailures(),
                        rootMessage(failure));
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long delay = Math.max(settings.minPause().toMillis(), settings.interval().toMillis() - elapsed);
            if (!closed) {
                timer.schedule(this::round, delay, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Checkpoints every owned shard now, outside the schedule; completes when all manifests are
     * durable, their offsets committed and what they made obsolete deleted.
     */
    public CompletableFuture<List<CheckpointManifest>> checkpointNow() {
        return runOnAllShards(Purpose.CHECKPOINT, true);
    }

    /**
     * A savepoint of every shard this instance owns: full, self-contained, never deleted by retention.
     *
     * @throws IllegalArgumentException if {@code name} is not a savepoint name (see {@link StorageNames})
     * @throws io.keyedstate.SavepointExistsException if storage holds savepoint {@code name} of a shard this instance owns
     */
    public CompletableFuture<List<CheckpointManifest>> savepoint(String name) {
        StorageNames.requireSavepointName(name);
        List<String> restoring = shards.values().stream().filter(shard -> shard.restoring && !shard.owners.isEmpty())
                .map(Shard::label).toList();
        if (!restoring.isEmpty()) {
            // It would lack those partitions: a savepoint holds every partition this instance owns, or none.
            return CompletableFuture.failedFuture(new IllegalStateException("Savepoint '" + name + "' not taken: "
                    + String.join(", ", restoring) + " still being restored; take it once readiness is UP"));
        }
        try {
            Savepoints.refuseExisting(storage, name, savepointFolder(name), shards.values().stream()
                    .filter(shard -> !shard.owners.isEmpty()).flatMap(shard -> shard.savepointPaths().stream()).toList());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return runOnAllShards(new Purpose(true, name), false);
    }

    private CompletableFuture<List<CheckpointManifest>> runOnAllShards(Purpose purpose, boolean awaitRetention) {
        List<CompletableFuture<Completed>> runs = new ArrayList<>();
        for (Shard shard : shards.values()) {
            if (!shard.owners.isEmpty() && shard.unrecoverable == null && !shard.restoring) {
                runs.add(checkpoint(shard, purpose).thenCompose(completed -> purpose.savepoint() || completed.manifest() == null
                        ? CompletableFuture.completedFuture(completed)
                        : commitThenRetain(shard, completed, awaitRetention)));
            }
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(ignored -> runs.stream()
                .map(CompletableFuture::join).map(Completed::manifest).filter(java.util.Objects::nonNull).toList());
    }

    /**
     * Commits a completed checkpoint's offsets, then deletes what it made obsolete. The consumer
     * group accepts the commit only from the partition's current owner, so a stale owner (dropped
     * from the group, or a fenced instance of a static member) never gets to retention, where it
     * could delete files its successor uses.
     */
    private CompletableFuture<Completed> commitThenRetain(Shard shard, Completed completed, boolean awaitRetention) {
        CompletableFuture<?>[] commits = completed.offsets().entrySet().stream()
                .map(entry -> entry.getKey().commit(entry.getValue())).toArray(CompletableFuture[]::new);
        CompletableFuture<Void> committed = CompletableFuture.allOf(commits);
        // On the storage threads, never the gates'.
        CompletableFuture<Completed> retained = committed.handleAsync((ignored, failure) -> {
            if (failure == null) {
                retain(shard, completed.ownership(), completed.manifest().n());
            }
            return completed;
        }, storageWork);
        return awaitRetention ? retained : committed.handle((ignored, failure) -> completed);
    }

    private CompletableFuture<Completed> checkpoint(Shard shard, Purpose purpose) {
        synchronized (shard) {
            CompletableFuture<Completed> next = shard.tail.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> run(shard, purpose));
            shard.tail = next;
            return next;
        }
    }

    /** The shard's tracked input partitions (several for co-partitioned topics), with their channel's handler. */
    private Map<InputPartition, KeyedStateCommitHandler> inputsOf(Shard shard) {
        Map<InputPartition, KeyedStateCommitHandler> inputs = new LinkedHashMap<>();
        handlers.stream().filter(handler -> handler.channel.equals(shard.channel))
                .forEach(handler -> handler.inputsOf(shard.partition).forEach(input -> inputs.put(input, handler)));
        return inputs;
    }

    private CompletableFuture<Completed> run(Shard shard, Purpose purpose) {
        long ownership = shard.ownership;
        Map<InputPartition, KeyedStateCommitHandler> inputs = inputsOf(shard);
        boolean changed = inputs.keySet().stream().anyMatch(input -> input.changedSince(input.checkpointedOffset()));
        if (inputs.isEmpty() || shard.unrecoverable != null || shard.restoring || (!purpose.savepoint() && !changed)) {
            return CompletableFuture.completedFuture(new Completed(null, Map.of(), ownership));
        }
        long started = System.nanoTime();
        Map<String, CheckpointManifest.FileEntry> reusable = reusableFiles(shard, purpose);
        Map<InputPartition, CompletableFuture<Long>> barriers = new LinkedHashMap<>();
        // Past the timeout the checkpoint fails and the next may start; a write still hanging then
        // finds itself abandoned before the manifest.
        AtomicBoolean abandoned = new AtomicBoolean();
        return gated(shard, () -> {
            inputs.keySet().forEach(input -> barriers.put(input, input.close()));
            LOG.debugf("Barrier of %s: waiting for %s", shard.folderName, inputs.keySet());
            return CompletableFuture.allOf(barriers.values().toArray(CompletableFuture[]::new))
                    .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .handleAsync((ignored, failure) -> {
                        try {
                            if (failure != null) {
                                throw new IllegalStateException("records in flight on " + inputs.keySet()
                                        + " were not acknowledged within " + settings.timeout(), failure);
                            }
                            // Read at the barrier, with the gates closed: records admitted after it are not the checkpoint's.
                            Map<String, Long> timestamps = new TreeMap<>();
                            inputs.keySet().stream().filter(input -> input.maxTimestamp() != Long.MIN_VALUE).forEach(
                                    input -> timestamps.put(input.topicPartition.toString(), input.maxTimestamp()));
                            return new Synced(backend.snapshot(shard.id, reusable.keySet()), timestamps,
                                    System.nanoTime() - started);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } finally {
                            inputs.forEach((input, handler) -> handler.release(input));
                        }
                    }, worker);
        })
                .thenApplyAsync(synced -> {
                    Map<String, Long> offsets = new TreeMap<>();
                    Map<KeyedStateCommitHandler, Map<TopicPartition, OffsetAndMetadata>> commits = new HashMap<>();
                    int generation = -1;
                    for (Map.Entry<InputPartition, CompletableFuture<Long>> barrier : barriers.entrySet()) {
                        InputPartition input = barrier.getKey();
                        long offset = barrier.getValue().join();
                        generation = Math.max(generation, input.generation);
                        if (offset >= 0) {
                            offsets.put(input.topicPartition.toString(), offset);
                            commits.computeIfAbsent(inputs.get(input), h -> new HashMap<>())
                                    .put(input.topicPartition, new OffsetAndMetadata(offset));
                        }
                    }
                    long asyncStarted = System.nanoTime();
                    CheckpointManifest manifest = write(shard, () -> shard.ownership == ownership && !abandoned.get(), purpose,
                            generation, offsets, synced.timestamps(), synced.snapshot(), reusable);
                    long asyncNanos = System.nanoTime() - asyncStarted;
                    if (!purpose.savepoint()) {
                        barriers.forEach((input, barrier) -> input.checkpointed(barrier.join()));
                        shard.last = manifest;
                        shard.checkpointedAtMillis = System.currentTimeMillis();
                        completedCount.incrementAndGet();
                        lastCompleted = manifest;
                    }
                    LOG.debugf("Checkpoint %s of partition %s: %,d bytes in %d files, sync %d ms, async %d ms", manifest.id(),
                            shard.folderName, manifest.totalBytes(), manifest.files().size(),
                            TimeUnit.NANOSECONDS.toMillis(synced.nanos()), TimeUnit.NANOSECONDS.toMillis(asyncNanos));
                    listeners.forEach(listener -> listener.completed(shard.channel, shard.partition, manifest, synced.nanos(),
                            asyncNanos));
                    return new Completed(manifest, commits, ownership);
                }, storageWork)
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((completed, failure) -> {
                    if (failure == null) {
                        return completed;
                    }
                    abandoned.set(true);
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    Throwable reported = cause instanceof TimeoutException
                            ? new IllegalStateException("the checkpoint of " + shard.folderName + " did not complete within "
                                    + settings.timeout() + " (quarkus.keyed-state.checkpoint.timeout)")
                            : cause;
                    listeners.forEach(listener -> listener.failed(shard.channel, shard.partition, reported));
                    throw new CompletionException(reported);
                });
    }

    private record Synced(ShardSnapshot snapshot, Map<String, Long> timestamps, long nanos) {
    }

    /**
     * Runs {@code phase}, which closes some of the shard's gates and reopens them when its future
     * completes, after every gated phase asked for before: checkpoints' barriers and timer rounds
     * never hold a shard's gates at the same time. Ordered apart from the checkpoints' uploads, so
     * that a timer round waits for a checkpoint's barrier, not for its upload. Under its own lock:
     * the shard's monitor may be held by a thread waiting for a checkpoint to finish.
     */
    private <T> CompletableFuture<T> gated(Shard shard, Supplier<CompletableFuture<T>> phase) {
        synchronized (shard.gateLock) {
            CompletableFuture<T> next = shard.gated.handle((ignored, failure) -> null).thenCompose(ignored -> phase.get());
            shard.gated = next.handle((ignored, failure) -> null);
            return next;
        }
    }

    // ---- exclusive access to a shard, for timers ----

    /** What hears of records with a later timestamp than any before them on their input. */
    @FunctionalInterface
    public interface TimestampListener {
        /** {@code maxTimestamp}: the input's largest record timestamp now. */
        void advanced(int shardId, long maxTimestamp);
    }

    /** Called, on the thread that admitted it, when a record later than any before it enters processing. */
    public void onTimestampAdvance(TimestampListener listener) {
        timestampListener = listener;
    }

    void timestampAdvanced(InputPartition input) {
        TimestampListener listener = timestampListener;
        if (listener != null) {
            listener.advanced(input.shardId, input.maxTimestamp());
        }
    }

    /** The shards this instance owns now. */
    public List<Integer> ownedShards() {
        return shards.values().stream()
                .filter(shard -> !shard.owners.isEmpty() && shard.unrecoverable == null && !shard.restoring)
                .map(shard -> shard.id).toList();
    }

    /**
     * Runs {@code action} on {@code executor} while no record of the shard is in processing: its
     * input gates are closed, the records admitted before are acknowledged, and it is ordered with
     * the shard's checkpoints. The gates reopen when the stage {@code action} returns completes.
     * Does nothing, and completes, if this instance does not own the shard.
     */
    public CompletableFuture<Void> exclusively(int shardId, Supplier<CompletionStage<?>> action, Executor executor) {
        Shard shard = shards.get(shardId);
        if (shard == null || shard.unrecoverable != null || shard.restoring) {
            return CompletableFuture.completedFuture(null);
        }
        return gated(shard, () -> exclusive(shard, action, executor));
    }

    private CompletableFuture<Void> exclusive(Shard shard, Supplier<CompletionStage<?>> action, Executor executor) {
        Map<InputPartition, KeyedStateCommitHandler> inputs = inputsOf(shard);
        if (inputs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Long>> drained = inputs.keySet().stream().map(InputPartition::close).toList();
        return CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new))
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenComposeAsync(ignored -> action.get(), executor)
                // Not on the thread that completed the action (a timeout's is the JDK's shared one):
                // releasing runs the held records' handlers.
                .handleAsync((ignored, failure) -> {
                    inputs.forEach((input, handler) -> handler.release(input));
                    if (failure != null) {
                        LOG.warnf("Exclusive work on partition %s failed: %s", shard.folderName, rootMessage(failure));
                    }
                    return null;
                }, worker);
    }

    /**
     * The files of the shard's last confirmed checkpoint that a new checkpoint may reference rather
     * than store, by name: none for a savepoint, which is self-contained.
     */
    private Map<String, CheckpointManifest.FileEntry> reusableFiles(Shard shard, Purpose purpose) {
        CheckpointManifest last = shard.last;
        if (!settings.incremental() || purpose.savepoint() || last == null || shard.fullNext) {
            return Map.of();
        }
        Map<String, CheckpointManifest.FileEntry> reusable = new HashMap<>();
        last.files().stream().filter(CheckpointManifest.FileEntry::isReusable).forEach(file -> reusable.put(file.name(), file));
        return reusable;
    }

    /**
     * Writes the snapshot's files, then its manifest, if {@code stillWanted} then holds: the
     * partition was not let go and the checkpoint did not time out meanwhile.
     */
    private CheckpointManifest write(Shard shard, java.util.function.BooleanSupplier stillWanted, Purpose purpose,
            int generation, Map<String, Long> offsets, Map<String, Long> timestamps, ShardSnapshot snapshot,
            Map<String, CheckpointManifest.FileEntry> previous) {
        if (!stillWanted.getAsBoolean()) {
            snapshot.close(); // queued behind a hanging write past its timeout: nothing to store any more
            throw new IllegalStateException("abandoned: it timed out, or the partition was let go, before it was stored");
        }
        CheckpointId id = new CheckpointId(shard.nextN++, generation, ownerToken);
        String folder = purpose.savepoint() ? savepointFolder(purpose.savepointName()) + "/" + shard.paths.path()
                : shard.folder + "/" + id.name();
        // A savepoint is self-contained; a checkpoint shares immutable files with the last confirmed one.
        boolean incremental = settings.incremental() && !purpose.savepoint();
        try (snapshot) {
            if (purpose.savepoint()) { // again: another owner of the partition may have written it since
                Savepoints.refuseExisting(storage, purpose.savepointName(), savepointFolder(purpose.savepointName()),
                        shard.savepointPaths());
            }
            List<CheckpointManifest.FileEntry> files = new ArrayList<>(uploader.upload(shard.folder, folder, id.name(),
                    snapshot.files(), previous, incremental ? snapshot::isImmutable : name -> false));
            for (String name : snapshot.inherited()) {
                CheckpointManifest.FileEntry inherited = previous.get(name);
                if (inherited == null) {
                    throw new IllegalStateException("the snapshot builds on " + name + ", which the last checkpoint lacks");
                }
                files.add(inherited);
            }
            long uploaded = files.stream().filter(file -> previous.get(file.name()) != file)
                    .mapToLong(CheckpointManifest.FileEntry::size).sum();
            CheckpointManifest manifest = new CheckpointManifest(id.name(), id.n(), generation, purpose.savepoint(),
                    shard.origin, backend.name(), Instant.now(), offsets, timestamps,
                    schemas.manifestStates(snapshot::holdsNothing), files, uploaded, shard.topicIds);
            requireStillReferencable(shard, files, previous);
            if (!stillWanted.getAsBoolean()) {
                throw new IllegalStateException("abandoned: it timed out, or the partition was let go, while it ran");
            }
            storage.writeAtomically(folder + "/" + CheckpointManifest.NAME, manifest.toJson());
            if (!purpose.savepoint()) {
                snapshot.confirmed();
                if (previous.isEmpty()) {
                    shard.fullNext = false;
                }
            }
            return manifest;
        } catch (IOException | RuntimeException e) {
            try {
                if (!purpose.savepoint()) { // a failed savepoint deletes nothing: see Savepoints
                    storage.deleteAll(folder);
                }
            } catch (IOException | RuntimeException cleanup) {
                LOG.debugf("Could not remove the partial checkpoint %s: %s", folder, cleanup.getMessage());
            }
            throw e instanceof io.keyedstate.SavepointExistsException exists ? exists
                    : new IllegalStateException("Checkpoint " + folder + " failed: " + rootMessage(e), e);
        }
    }

    /**
     * A checkpoint that references shared files of the one before must know they still exist:
     * retention by another owner, or a person, may have removed them. If one is gone, the
     * checkpoint fails and the next one stores everything again.
     */
    private void requireStillReferencable(Shard shard, List<CheckpointManifest.FileEntry> files,
            Map<String, CheckpointManifest.FileEntry> previous) throws IOException {
        List<String> reused = files.stream().filter(file -> file.isShared() && previous.get(file.name()) == file)
                .map(CheckpointManifest.FileEntry::location).toList();
        if (reused.isEmpty()) {
            return;
        }
        Set<String> present = new HashSet<>();
        storage.list(shard.folder + "/shared").forEach(name -> present.add("shared/" + name));
        for (String location : reused) {
            if (!present.contains(location)) {
                shard.fullNext = true;
                throw new IllegalStateException("it would reference " + location
                        + " of the checkpoint before, which is gone from storage; the next checkpoint stores every file");
            }
        }
    }

    /**
     * Keeps the newest {@code retained} complete checkpoints and whatever is newer; deletes the
     * rest (incomplete ones older than a complete one included), and the shared files that no
     * remaining manifest references: this process's own, of checkpoints up to {@code upToN} (a
     * later one may be uploading), and other owners' once they are older than the checkpoint
     * timeout (so no upload in flight loses them). Runs only while {@code ownership} holds, and
     * never deletes what a later generation of the group wrote: that belongs to a newer owner (or
     * to a consumer group created again, whose owner ranks it).
     */
    private void retain(Shard shard, long ownership, long upToN) {
        if (shard.ownership != ownership) {
            return;
        }
        try {
            List<CheckpointId> ids = checkpointIds(shard);
            Set<String> referenced = new HashSet<>();
            // What the shard last restored or wrote is the base of its next checkpoint, however old.
            CheckpointManifest base = shard.last;
            if (base != null) {
                base.files().stream().filter(CheckpointManifest.FileEntry::isShared)
                        .forEach(file -> referenced.add(file.location()));
            }
            int complete = 0;
            for (CheckpointId id : ids) {
                String folder = shard.folder + "/" + id.name();
                boolean isBase = base != null && !base.savepoint() && id.name().equals(base.id());
                boolean newerOwner = id.generation() > shard.generation;
                if (newerOwner) {
                    if (storage.list(folder).contains(CheckpointManifest.NAME)) {
                        referencedBy(folder, referenced);
                    }
                } else if (complete >= settings.retained() && !isBase) {
                    storage.deleteAll(folder);
                } else if (!storage.list(folder).contains(CheckpointManifest.NAME)) {
                    if (complete > 0) {
                        storage.deleteAll(folder); // failed or abandoned: a newer one completed since
                    }
                } else {
                    complete++;
                    referencedBy(folder, referenced);
                }
            }
            Instant uploadsInFlight = Instant.now().minus(settings.timeout());
            for (String name : storage.list(shard.folder + "/shared")) {
                String path = shard.folder + "/shared/" + name;
                if (referenced.contains("shared/" + name) || shard.ownership != ownership) {
                    continue;
                }
                OptionalLong own = ownSharedFileOf(name);
                if (own.isPresent() ? own.getAsLong() <= upToN : storage.lastModified(path).isBefore(uploadsInFlight)) {
                    storage.delete(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not delete old checkpoints of partition %s: %s; retried after the next checkpoint",
                    shard.folderName, e.getMessage());
        }
    }

    /** The checkpoint number of a shared file this process uploaded ({@code <checkpoint id>-<file>}), if it did. */
    private OptionalLong ownSharedFileOf(String name) {
        int owner = name.indexOf("-" + ownerToken + "-");
        if (!name.startsWith("chk-") || owner < 0) {
            return OptionalLong.empty();
        }
        return CheckpointId.parse(name.substring(0, owner + 1 + ownerToken.length()))
                .filter(id -> ownerToken.equals(id.owner())).map(id -> OptionalLong.of(id.n())).orElse(OptionalLong.empty());
    }

    /** Adds the shared files the manifest in {@code folder} references. */
    private void referencedBy(String folder, Set<String> referenced) throws IOException {
        CheckpointManifest.fromJson(storage.read(folder + "/" + CheckpointManifest.NAME)).files().stream()
                .filter(CheckpointManifest.FileEntry::isShared).forEach(file -> referenced.add(file.location()));
    }

    private List<CheckpointId> checkpointIds(Shard shard) throws IOException {
        return checkpointIds(shard.folder, shard.generation);
    }

    private List<CheckpointId> checkpointIds(String folder, int generation) throws IOException {
        List<CheckpointId> ids = new ArrayList<>();
        for (String name : storage.list(folder)) {
            CheckpointId.parse(name).ifPresent(ids::add);
        }
        ids.sort(CheckpointId.newestFirst(generation));
        return ids;
    }

    private Optional<CheckpointId> newestComplete(Shard shard, List<CheckpointId> ids) throws IOException {
        for (CheckpointId id : ids) {
            if (storage.list(shard.folder + "/" + id.name()).contains(CheckpointManifest.NAME)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /**
     * What storage holds, for operators: per shard folder ({@code channels/<channel>/<topics>-<p>},
     * or {@code <topics>-<p>} in the previous layout) its complete checkpoints, newest first, and
     * per savepoint ({@code savepoints/<name>}) its shards.
     */
    public Map<String, List<CheckpointManifest>> list() throws IOException {
        Map<String, List<CheckpointManifest>> listed = new TreeMap<>();
        String root = settings.applicationFolder();
        for (String folder : storage.list(root)) {
            if (folder.equals(StorageLayout.SAVEPOINTS)) {
                for (String name : storage.list(root + "/" + StorageLayout.SAVEPOINTS)) {
                    String savepoint = StorageLayout.SAVEPOINTS + "/" + name;
                    List<CheckpointManifest> manifests = new ArrayList<>();
                    for (String shard : shardFoldersUnder(root + "/" + savepoint)) {
                        readManifest(root + "/" + savepoint + "/" + shard).ifPresent(manifests::add);
                    }
                    listed.put(savepoint, manifests);
                }
            } else {
                for (String shard : folder.equals(StorageLayout.CHANNELS) ? shardFoldersUnder(root) : List.of(folder)) {
                    List<CheckpointManifest> manifests = new ArrayList<>();
                    for (String checkpoint : storage.list(root + "/" + shard)) {
                        readManifest(root + "/" + shard + "/" + checkpoint).ifPresent(manifests::add);
                    }
                    manifests.sort(java.util.Comparator.comparingLong(CheckpointManifest::n).reversed());
                    listed.put(shard, manifests);
                }
            }
        }
        return listed;
    }

    /** The shard folders below {@code folder}, relative to it, in either layout. */
    private List<String> shardFoldersUnder(String folder) throws IOException {
        List<String> shards = new ArrayList<>();
        for (String entry : storage.list(folder)) {
            if (entry.equals(StorageLayout.CHANNELS)) {
                for (String channel : storage.list(folder + "/" + StorageLayout.CHANNELS)) {
                    for (String shard : storage.list(folder + "/" + StorageLayout.CHANNELS + "/" + channel)) {
                        shards.add(StorageLayout.CHANNELS + "/" + channel + "/" + shard);
                    }
                }
            } else {
                shards.add(entry);
            }
        }
        return shards;
    }

    /** The manifest of the checkpoint in {@code folder}; empty if it is incomplete or not a checkpoint. */
    private Optional<CheckpointManifest> readManifest(String folder) {
        try {
            return Optional.of(CheckpointManifest.fromJson(storage.read(folder + "/" + CheckpointManifest.NAME)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private String savepointFolder(String name) {
        return settings.applicationFolder() + "/" + StorageLayout.SAVEPOINTS + "/" + name;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        worker.shutdown();
        storageWork.shutdown();
        uploads.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
            storageWork.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        uploads.shutdownNow();
        restores.shutdownNow();
        storageWork.shutdownNow();
        worker.shutdownNow();
        handlers.forEach(handler -> handler.topicIds.close());
        storage.close();
    }

    static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == failure ? String.valueOf(failure.getMessage())
                : failure.getMessage() + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }

    /** Daemon threads named {@code name-1}, {@code name-2}... */
    public static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * One restore task, which the shard's release interrupts (a download it waits for) while it
     * runs, and only then: its thread goes on to other work afterwards.
     */
    private static final class RestoreRun {
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

    /** The checkpoint bookkeeping of one shard. Fields are guarded by {@code this}, or owned by its running checkpoint. */
    private final class Shard {
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
        CompletableFuture<Completed> tail = CompletableFuture.completedFuture(null);
        /** The last gated phase (a checkpoint's barrier and snapshot, or a timer round); guarded by {@code gateLock}. */
        CompletableFuture<Object> gated = CompletableFuture.completedFuture(null);
        final Object gateLock = new Object();

        Shard(int id) {
            this.id = id;
            this.channel = shardIds.channel(id);
            this.partition = shardIds.partition(id);
            this.paths = layout.shard(channel, partition);
            this.folderName = paths.name();
            this.folder = settings.applicationFolder() + "/" + paths.path();
        }

        /** How readiness names it: several channels may read one topic. */
        String label() {
            return folderName + " (channel " + channel + ")";
        }

        /** Where a savepoint of it may be stored, relative to the savepoint's folder: a name in use at any is taken. */
        List<String> savepointPaths() {
            return paths.previousPath() == null ? List.of(paths.path()) : List.of(paths.path(), paths.previousPath());
        }
    }
}
