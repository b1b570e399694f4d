package io.keyedstate.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;

/**
 * The commit strategy of a keyed channel. It commits offsets only as part of a checkpoint, after
 * the checkpoint's manifest is durable, never per record; it gates the channel's stream per input
 * partition for barrier alignment; and it hands partition assignments and revocations to the
 * coordinator, which hands over shards there, on the consumer's polling thread, and restores them
 * in the background behind the partitions' {@link RestoreFence}.
 */
final class KeyedStateCommitHandler implements KafkaCommitHandler {

    private static final Logger LOG = Logger.getLogger(KeyedStateCommitHandler.class);

    final String channel;
    final boolean orderedByKey;
    private final boolean batch;
    private final KafkaConsumer<?, ?> consumer;
    private final CheckpointCoordinator coordinator;
    private final BiConsumer<Throwable, Boolean> reportFailure;
    private final Map<TopicPartition, InputPartition> inputs = new ConcurrentHashMap<>();
    /** Revoked partitions whose admitted records are still in processing: their acknowledgements count here. */
    private final Map<TopicPartition, InputPartition> releasing = new ConcurrentHashMap<>();
    private volatile GatedStream.Gate<?, ?> gate;
    private final java.util.Set<TopicPartition> pausing = ConcurrentHashMap.newKeySet();
    private final java.util.Set<TopicPartition> fenced = ConcurrentHashMap.newKeySet();
    private final DispatchContext dispatch = new DispatchContext();
    /** The ids of the channel's topics, read through an admin client made when first needed. */
    final TopicIds topicIds;

    KeyedStateCommitHandler(String channel, boolean orderedByKey, boolean batch, KafkaConsumer<?, ?> consumer,
            CheckpointCoordinator coordinator, BiConsumer<Throwable, Boolean> reportFailure) {
        this.channel = channel;
        this.orderedByKey = orderedByKey;
        this.batch = batch;
        this.consumer = consumer;
        this.coordinator = coordinator;
        this.reportFailure = reportFailure;
        this.topicIds = new TopicIds(channel, consumer::configuration);
    }

    @Override
    public <K, V> Multi<IncomingKafkaRecord<K, V>> decorateStream(Multi<IncomingKafkaRecord<K, V>> consumed) {
        return batch ? consumed : new GatedStream<>(consumed, this);
    }

    /**
     * Batch channels (no per-record stream to gate) wait here, the whole batch with the last record
     * of each of its partitions; a partition's records that are not admitted are marked so (see
     * {@link NotAdmitted}).
     */
    @Override
    public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
        if (!batch) {
            return Uni.createFrom().item(record);
        }
        dispatching();
        InputPartition input = input(record.getTopic(), record.getPartition());
        if (input == null) {
            NotAdmitted.mark(record); // its partition was let go since the batch was polled
            return Uni.createFrom().item(record);
        }
        long before = input.maxTimestamp();
        CompletableFuture<Boolean> admitted = input.admitOrWait(record.getOffset(),
                GatedStream.timestamp(record));
        if (input.maxTimestamp() > before) {
            timestampAdvanced(input);
        }
        if (admitted == null) {
            return Uni.createFrom().item(record);
        }
        return Uni.createFrom().completionStage(admitted).map(admit -> {
            if (!admit) {
                NotAdmitted.mark(record);
            }
            return record;
        });
    }

    /** On the thread the connector hands records to the gates from (see {@link DispatchContext}). */
    void dispatching() {
        dispatch.seen();
    }

    /**
     * Waits until every record the connector took from its queue before now has reached its gate,
     * so that none reaches one later, when its partition may have come back. The connector empties
     * its queue of a revoked partition's records before the revocation gets here.
     */
    boolean awaitDispatched(long timeoutNanos) {
        return dispatch.awaitPassed(timeoutNanos);
    }

    /** The partition is being let go: from now on its gate admits nothing (see {@link InputPartition#retire}). */
    void retire(TopicPartition partition) {
        InputPartition input = inputs.get(partition);
        if (input != null) {
            input.retire();
        }
    }

    /** The channel's consumer group. */
    Object groupId() {
        return consumer.configuration().get(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
    }

    void attach(GatedStream.Gate<?, ?> gate) {
        this.gate = gate;
    }

    InputPartition input(String topic, int partition) {
        return inputs.get(new TopicPartition(topic, partition));
    }

    /** Acknowledged (or nacked and settled by the failure strategy): the record is fully processed. */
    @Override
    public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
        InputPartition input = input(record.getTopic(), record.getPartition());
        if (input == null) {
            input = releasing.get(new TopicPartition(record.getTopic(), record.getPartition()));
        }
        if (input != null && batch) {
            input.acknowledgedUpTo(record.getOffset());
        } else if (input != null) {
            GatedStream.Gate<?, ?> current = gate;
            if (current != null) {
                current.acknowledged(input, record);
            }
            input.acknowledged();
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public void partitionsAssigned(Collection<TopicPartition> partitions) {
        coordinator.assigned(this, consumer.unwrap(), partitions);
    }

    @Override
    public void partitionsRevoked(Collection<TopicPartition> partitions) {
        coordinator.revoked(this, consumer.unwrap(), partitions);
    }

    @Override
    public void terminate(boolean graceful) {
        coordinator.terminated(this, consumer, graceful);
    }

    /** Called by the coordinator on the polling thread, when it has restored the partition's shard. */
    InputPartition track(TopicPartition partition, int shardId, int generation, long startOffset, long startTimestamp) {
        InputPartition input = new InputPartition(partition, shardId, generation, startOffset, startTimestamp, batch);
        inputs.put(partition, input);
        return input;
    }

    /**
     * Stops tracking a revoked partition and drops what its gate held; completes once the records
     * it admitted before are done, so that its shard is not closed under their handlers.
     */
    CompletableFuture<Long> untrack(TopicPartition partition) {
        InputPartition input = inputs.remove(partition);
        if (input == null) {
            return CompletableFuture.completedFuture(-1L);
        }
        CompletableFuture<Long> drained = input.close();
        if (!drained.isDone()) {
            releasing.put(partition, input);
            drained.whenComplete((offset, failure) -> releasing.remove(partition, input));
        }
        GatedStream.Gate<?, ?> current = gate;
        if (current != null) {
            current.discard(input);
        }
        return drained;
    }

    List<InputPartition> inputsOf(int partition) {
        List<InputPartition> of = new ArrayList<>();
        inputs.values().forEach(input -> {
            if (input.topicPartition.partition() == partition) {
                of.add(input);
            }
        });
        return of;
    }

    /** A record with a later timestamp than any before it entered processing: event time moved on. */
    void timestampAdvanced(InputPartition input) {
        coordinator.timestampAdvanced(input);
    }

    void release(InputPartition input) {
        GatedStream.Gate<?, ?> current = gate;
        if (current != null) {
            current.release(input);
        } else {
            input.open();
        }
    }

    /**
     * Commits a completed checkpoint's offsets from any thread, through the consumer's polling
     * thread; fails if the group refused them (this instance no longer owns a partition).
     */
    CompletableFuture<Void> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return consumer.commit(offsets)
                .invoke(ignored -> LOG.tracef("Committed %s for channel %s", offsets, channel))
                .onFailure().invoke(failure -> LOG.warnf("Could not commit offsets %s of channel '%s' after a completed"
                        + " checkpoint: %s; the checkpoint holds them, and the next one commits again", offsets, channel,
                        failure.getMessage()))
                .subscribeAsCompletionStage();
    }

    /**
     * Keeps the partition's records out of the channel while its shard is restored (see
     * {@link RestoreFence}), and the partition from being fetched as far as the connector lets it:
     * on the polling thread.
     */
    void fence(org.apache.kafka.clients.consumer.Consumer<?, ?> kafka, TopicPartition partition) {
        fenced.add(partition);
        RestoreFence.fence(groupId(), partition, () -> pauseFenced(partition));
        kafka.pause(List.of(partition));
    }

    /** The partition's records flow again, from where the caller just sought it to: on the polling thread. */
    void lift(org.apache.kafka.clients.consumer.Consumer<?, ?> kafka, TopicPartition partition) {
        forget(partition);
        kafka.resume(List.of(partition));
    }

    /** Forgets the fence of a partition no longer assigned. */
    void forget(TopicPartition partition) {
        fenced.remove(partition);
        RestoreFence.lift(groupId(), partition);
    }

    /** The channel stops: a later consumer of its group, in this JVM, starts with no fence. */
    void forgetAll() {
        List.copyOf(fenced).forEach(this::forget);
    }

    /** Records of a fenced partition were fetched (the connector resumed it): paused again after this poll. */
    private void pauseFenced(TopicPartition partition) {
        if (pausing.add(partition)) {
            consumer.runOnPollingThread(kafka -> {
                pausing.remove(partition);
                if (fenced.contains(partition) && kafka.assignment().contains(partition)) {
                    kafka.pause(List.of(partition));
                }
            }).subscribe().with(ignored -> {
            }, failure -> pausing.remove(partition));
        }
    }

    /** Runs {@code task} on the consumer's polling thread, between two polls. */
    void onPollingThread(java.util.function.Consumer<org.apache.kafka.clients.consumer.Consumer<?, ?>> task) {
        consumer.runOnPollingThread(kafka -> {
            task.accept(kafka);
        }).subscribe().with(ignored -> {
        }, failure -> LOG.debugf("Channel '%s': work on the polling thread not done (%s)", channel, failure.getMessage()));
    }

    void fail(Throwable failure) {
        reportFailure.accept(failure, true);
    }
}
