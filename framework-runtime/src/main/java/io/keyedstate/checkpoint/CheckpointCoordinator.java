package io.keyedstate.checkpoint;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.scope.ShardIds;
import io.keyedstate.storage.CheckpointStorage;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;

/**
 * Checkpoints and restores the state of every shard this instance owns, consistent with the Kafka
 * offsets; what the rest of the extension talks to. It puts together the parts, each with one job:
 * <ul>
 * <li>{@link ShardOwnership}: partitions assigned and revoked, hand-overs;</li>
 * <li>{@link ShardRestores}: restoring a shard taken on, and what happens if it cannot be;</li>
 * <li>{@link ShardGates}: exclusive access to a shard, for checkpoint barriers and timer rounds;</li>
 * <li>{@link CheckpointPipeline}: one checkpoint of one shard, from barrier to manifest;</li>
 * <li>{@link CheckpointScheduler}: when checkpoints run, and the failure streak;</li>
 * <li>{@link CheckpointStore}: the checkpoints in storage, listed and pruned by retention.</li>
 * </ul>
 * It also refuses, at startup, keyed channels whose consumer configuration would break the
 * guarantees, and answers health's questions.
 */
public final class CheckpointCoordinator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointCoordinator.class);

    private final CheckpointSettings settings;
    private final CheckpointStorage storage;
    private final OwnedShards shards;
    private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();
    /** Short coordination work: barriers, snapshots, reopening gates. Never waits for storage. */
    private final ExecutorService worker = Executors.newFixedThreadPool(2, DaemonThreads.named("keyed-state-checkpoint"));
    /** Writing checkpoints and retention: may wait on a slow or hanging storage, apart from the gates. */
    private final ExecutorService storageWork;
    private final ExecutorService uploads;
    private final ShardGates gates;
    private final CheckpointStore store;
    private final CheckpointPipeline pipeline;
    private final CheckpointScheduler scheduler;
    private final ShardRestores restores;
    private final ShardOwnership ownership;

    public CheckpointCoordinator(StateBackend backend, CheckpointStorage storage, ShardIds shardIds,
            CheckpointSettings settings, SchemaCheck schemas) {
        this.settings = settings;
        this.storage = storage;
        this.shards = new OwnedShards(shardIds, new StorageLayout(settings.channelTopics(), settings.previousLayoutChannel()),
                settings.applicationFolder());
        this.storageWork = Executors.newFixedThreadPool(settings.uploadThreads(), DaemonThreads.named("keyed-state-storage"));
        this.uploads = Executors.newFixedThreadPool(settings.uploadThreads(), DaemonThreads.named("keyed-state-upload"));
        this.gates = new ShardGates(shards, settings.timeout(), worker);
        this.store = new CheckpointStore(storage, settings);
        this.pipeline = new CheckpointPipeline(backend, storage, settings, schemas, shards, gates, store,
                new CheckpointUploader(storage, uploads, settings.inlineThreshold()), listeners, worker, storageWork);
        this.scheduler = new CheckpointScheduler(shards, pipeline, store, storage, settings, storageWork);
        this.restores = new ShardRestores(backend, storage, settings, store,
                new CheckpointRestore(storage, backend, schemas, settings.restoreTimeout()), listeners);
        this.ownership = new ShardOwnership(shards, backend, settings, restores, scheduler, gates, worker);
        LOG.infof("Keyed-state checkpoints every %s to %s/%s", settings.interval(), storage.describe(),
                settings.applicationFolder());
        scheduler.start();
    }

    public void addListener(CheckpointListener listener) {
        listeners.add(listener);
    }

    /** Exclusive access to the shards, for the timers. */
    public ShardGates gates() {
        return gates;
    }

    /** The commit handler of a keyed channel, created by the connector through our commit strategy. */
    public KafkaCommitHandler commitHandler(String channel, boolean orderedByKey, boolean batch, KafkaConsumer<?, ?> consumer,
            BiConsumer<Throwable, Boolean> reportFailure) {
        KeyedStateCommitHandler handler = new KeyedStateCommitHandler(channel, orderedByKey, batch, consumer, this,
                reportFailure);
        requireHandoverWithinPollInterval(channel, consumer);
        requireRestoreFence(channel, consumer);
        for (KeyedStateCommitHandler other : shards.handlers()) {
            requireOwnGroup(handler, other);
        }
        shards.handlers().add(handler);
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

    /** Ready: every keyed channel has had its partitions assigned and no shard is being restored. */
    public boolean restoring() {
        return ownership.restoring();
    }

    /**
     * The partitions that have checkpoints of which none could be restored, and are therefore not
     * processed, by shard folder name, with why.
     */
    public Map<String, String> unrecoverableShards() {
        Map<String, String> unrecoverable = new TreeMap<>();
        shards.all().forEach(shard -> {
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
        shards.all().forEach(shard -> {
            long age = now - shard.checkpointedAtMillis;
            if (age > limit && !shard.owners.isEmpty() && shard.unrecoverable == null && shards.inputsOf(shard).keySet().stream()
                    .anyMatch(input -> input.changedSince(input.checkpointedOffset()))) {
                stale.put(shard.label(), age / 1000);
            }
        });
        return stale;
    }

    /** The shards this instance owns, each with where it stands. */
    public List<ShardStatus> shardStatuses() {
        List<ShardStatus> statuses = new java.util.ArrayList<>();
        shards.all().forEach(shard -> {
            if (shard.owners.isEmpty()) {
                return;
            }
            String unrecoverable = shard.unrecoverable;
            String status = unrecoverable != null ? "unrecoverable: " + unrecoverable
                    : shard.restoring ? "restoring" : "processing";
            CheckpointManifest last = shard.last;
            statuses.add(new ShardStatus(shard.id, shard.channel, shard.partition, shard.folderName, status,
                    last == null ? null : last.id(), shard.checkpointedAtMillis));
        });
        statuses.sort(java.util.Comparator.comparing(ShardStatus::channel).thenComparing(ShardStatus::partition));
        return statuses;
    }

    /** How long checkpointing has been stuck, if it is (see the scheduler's rule); empty while it runs on schedule. */
    public java.util.Optional<java.time.Duration> checkpointsStalled() {
        return scheduler.stalled();
    }

    /** Checkpoints failed in a row, reset by the next round that completes. */
    public int failureStreak() {
        return scheduler.failureStreak();
    }

    public int tolerableFailures() {
        return settings.tolerableFailures();
    }

    public long completedCount() {
        return pipeline.completedCount();
    }

    /** The checkpoint of any shard that completed last, if any did since startup. */
    public Optional<CheckpointManifest> lastCompleted() {
        return pipeline.lastCompleted();
    }

    // ---- from the keyed channels' commit handlers, on their consumers' polling threads ----

    void assigned(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ownership.assigned(handler, consumer, partitions);
    }

    void revoked(KeyedStateCommitHandler handler, Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ownership.revoked(handler, consumer, partitions);
    }

    void terminated(KeyedStateCommitHandler handler, KafkaConsumer<?, ?> consumer, boolean graceful) {
        ownership.terminated(handler, consumer, graceful);
    }

    void timestampAdvanced(InputPartition input) {
        gates.timestampAdvanced(input);
    }

    // ---- checkpoints on demand, savepoints, and what storage holds ----

    /**
     * Checkpoints every owned shard now, outside the schedule; completes when all manifests are
     * durable, their offsets committed and what they made obsolete deleted.
     */
    public CompletableFuture<List<CheckpointManifest>> checkpointNow() {
        return scheduler.checkpointNow();
    }

    /**
     * A savepoint of every shard this instance owns: full, self-contained, never deleted by retention.
     *
     * @throws IllegalArgumentException if {@code name} is not a savepoint name (see {@link StorageNames})
     * @throws io.keyedstate.SavepointExistsException if storage holds savepoint {@code name} of a shard this instance owns
     */
    public CompletableFuture<List<CheckpointManifest>> savepoint(String name) {
        return scheduler.savepoint(name);
    }

    /**
     * What storage holds, for operators: per shard folder ({@code channels/<channel>/<topics>-<p>},
     * or {@code <topics>-<p>} in the previous layout) its complete checkpoints, newest first, and
     * per savepoint ({@code savepoints/<name>}) its shards.
     */
    public Map<String, List<CheckpointManifest>> list() throws IOException {
        return store.list();
    }

    @Override
    public void close() {
        scheduler.close();
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
        restores.close();
        storageWork.shutdownNow();
        worker.shutdownNow();
        shards.handlers().forEach(handler -> handler.topicIds.close());
        storage.close();
    }
}
