package io.keyedstate.runtime;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Creates a partition's shard when the consumer group assigns the partition and drops it when the
 * partition is revoked or lost. The build makes this the rebalance listener of every keyed channel.
 * Shard {@code p} is fed by partition {@code p} of every keyed topic, so it is dropped only when no
 * topic's partition {@code p} is owned any more.
 */
@ApplicationScoped
@Identifier(ShardAssignmentListener.NAME)
public class ShardAssignmentListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "keyed-state-shards";
    private static final Logger LOG = Logger.getLogger(ShardAssignmentListener.class);

    private final KeyedStates states;
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();

    ShardAssignmentListener(KeyedStates states) {
        this.states = states;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            owned.add(partition);
            states.backend().shard(partition.partition());
        }
        LOG.debugf("Keyed-state shards after assignment of %s: %s", partitions, owned);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        owned.removeAll(partitions);
        for (TopicPartition partition : partitions) {
            int shard = partition.partition();
            if (owned.stream().noneMatch(tp -> tp.partition() == shard)) {
                states.backend().drop(shard);
            }
        }
        LOG.debugf("Keyed-state shards after revocation of %s: %s", partitions, owned);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }
}
