package io.keyedstate.checkpoint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps the records of partitions whose state is being restored out of a keyed channel, in the
 * consumer's poll, before the connector queues them. A restore runs in the background and only
 * when it ends is it known where the partition resumes (the restored checkpoint's offsets, an older
 * checkpoint's, the beginning of the partition). Records fetched before that seek must never reach
 * a handler, and once queued they could not be told from the ones after it; dropped here, on the
 * polling thread that also seeks, none is ever queued. Set on every keyed channel by the extension
 * ({@code interceptor.classes}).
 */
public final class RestoreFence<K, V> implements ConsumerInterceptor<K, V> {

    /**
     * Per consumer group, the fenced partitions, each with what to do when records of it are dropped.
     * Static because Kafka creates the interceptor itself, from a class name in the consumer config.
     */
    private static final Map<String, Map<TopicPartition, Runnable>> FENCED = new ConcurrentHashMap<>();

    private volatile Map<TopicPartition, Runnable> fenced = Map.of();

    static void fence(Object group, TopicPartition partition, Runnable onDropped) {
        FENCED.computeIfAbsent(String.valueOf(group), g -> new ConcurrentHashMap<>()).put(partition, onDropped);
    }

    static void lift(Object group, TopicPartition partition) {
        Map<TopicPartition, Runnable> ofGroup = FENCED.get(String.valueOf(group));
        if (ofGroup != null) {
            ofGroup.remove(partition);
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // Two keyed channels of one group never read one topic (refused at startup), so group and partition name one channel's input.
        fenced = FENCED.computeIfAbsent(String.valueOf(configs.get(ConsumerConfig.GROUP_ID_CONFIG)),
                g -> new ConcurrentHashMap<>());
    }

    @Override
    public ConsumerRecords<K, V> onConsume(ConsumerRecords<K, V> records) {
        Map<TopicPartition, Runnable> current = fenced;
        if (current.isEmpty() || records.isEmpty()) {
            return records;
        }
        Map<TopicPartition, List<ConsumerRecord<K, V>>> kept = null;
        for (TopicPartition partition : records.partitions()) {
            Runnable onDropped = current.get(partition);
            if (onDropped != null) {
                if (kept == null) {
                    kept = new HashMap<>();
                    for (TopicPartition other : records.partitions()) {
                        kept.put(other, records.records(other));
                    }
                }
                kept.remove(partition);
                onDropped.run();
            }
        }
        if (kept == null) {
            return records;
        }
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(records.nextOffsets());
        next.keySet().retainAll(kept.keySet());
        return new ConsumerRecords<>(kept, next);
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
