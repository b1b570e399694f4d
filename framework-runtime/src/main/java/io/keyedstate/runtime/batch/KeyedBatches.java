package io.keyedstate.runtime.batch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

import io.keyedstate.runtime.KeyBindingDecorator;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.scope.KeyScopes;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Runs a keyed handler over a poll's records at a time: the build turns an eligible per-record
 * handler into a batch consumer of its channel that calls this. Each record's key is bound around
 * one direct call of the handler's method, in order. A record the handler fails on is nacked by
 * itself, so the channel's failure strategy acts on that record only: with {@code fail} nothing
 * after it is processed, in this batch or any later one, with the others the batch goes on. The last record handled of each
 * partition is acknowledged (acknowledgements of a batch channel count up to an offset) once every
 * nack of the batch has settled, so that a record's dead-letter write is done before a later
 * offset can be committed.
 */
@ApplicationScoped
public class KeyedBatches {

    /** The handler takes the record's payload. */
    public static final int PAYLOAD = 0;
    /** The handler takes a {@code Record} of key and payload. */
    public static final int RECORD = 1;
    /** The handler takes the Kafka {@code ConsumerRecord}. */
    public static final int CONSUMER_RECORD = 2;

    private final KeyedStates states;
    private final Map<String, Boolean> stopsAtFailure = new ConcurrentHashMap<>();
    /** Channels stopped by a failure under {@code fail}: batches polled before the channel closed are not theirs to handle. */
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();

    KeyedBatches(KeyedStates states) {
        this.states = states;
    }

    public CompletionStage<Void> process(String channel, KafkaRecordBatch<?, ?> batch, RecordHandler handler,
            int argument) {
        if (stopped.contains(channel)) {
            // Neither handled nor acknowledged: the next owner of their partitions reads them again.
            return CompletableFuture.completedFuture(null);
        }
        Map<TopicPartition, KafkaRecord<?, ?>> handled = new HashMap<>();
        List<CompletableFuture<Void>> settling = new ArrayList<>();
        for (KafkaRecord<?, ?> each : batch.getRecords()) {
            IncomingKafkaRecord<?, ?> record = (IncomingKafkaRecord<?, ?>) each;
            TopicPartition partition = new TopicPartition(record.getTopic(), record.getPartition());
            Object key = record.getKey();
            Exception failure = key == null ? KeyBindingDecorator.nullKeyProblem(states, channel,
                    partition + "@" + record.getOffset()) : null;
            if (key != null) {
                try {
                    KeyScopes.callWithin(states.scope(channel, record.getPartition(), key), () -> {
                        handler.handle(argumentOf(record, argument));
                        return null;
                    });
                } catch (Exception e) { // a checked one too, which the method may declare
                    failure = e;
                }
            }
            if (failure == null) {
                handled.put(partition, record); // a skipped null key too: acknowledged in turn, not ahead of a nack
                continue;
            }
            CompletableFuture<Void> nacked = record.nack(failure).toCompletableFuture();
            if (stopsAtFailure(channel)) {
                stopped.add(channel);
                break;
            }
            settling.add(nacked);
        }
        if (settling.isEmpty()) {
            handled.values().forEach(KafkaRecord::ack);
        } else {
            CompletableFuture.allOf(settling.toArray(CompletableFuture[]::new))
                    .whenComplete((ignored, failure) -> handled.values().forEach(KafkaRecord::ack));
        }
        return CompletableFuture.completedFuture(null);
    }

    private static Object argumentOf(IncomingKafkaRecord<?, ?> record, int argument) {
        return switch (argument) {
            case PAYLOAD -> record.getPayload();
            case RECORD -> Record.of(record.getKey(), record.getPayload());
            default -> record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow().getRecord();
        };
    }

    /** With the {@code fail} strategy a nacked record stops the channel: nothing after it may be handled. */
    private boolean stopsAtFailure(String channel) {
        return stopsAtFailure.computeIfAbsent(channel, c -> ConfigProvider.getConfig()
                .getOptionalValue("mp.messaging.incoming." + c + ".failure-strategy", String.class).orElse("fail")
                .equals("fail"));
    }
}
