package io.keyedstate.runtime.batch;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.keyedstate.checkpoint.NotAdmitted;
import io.keyedstate.runtime.KeyBindingDecorator;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.state.CurrentShardKey;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Runs a keyed handler over a poll's records at a time: the build turns an eligible per-record
 * handler into a batch consumer of its channel that calls this. Each record's key is bound around
 * one direct call of the handler's method, in order, and what the method returns is sent to its
 * Kafka output (see {@link KafkaOutput}). A record the handler fails on, or whose output cannot be
 * sent, is nacked by itself, so the channel's failure strategy acts on that record only: with
 * {@code fail} nothing after it is processed, in this batch or any later one, and nothing of the
 * channel is acknowledged any more; with the others the batch goes on. The last record handled of
 * each partition is acknowledged (acknowledgements of a batch channel count up to an offset) once
 * every output of the batch is written and every nack has settled, so that a checkpoint, whose
 * barrier waits for acknowledgements, never covers a record whose output is not written, and a
 * record's dead-letter write is done before a later offset can be committed.
 */
@ApplicationScoped
public class KeyedBatches {

    /** The handler takes the record's payload. */
    public static final int PAYLOAD = 0;
    /** The handler takes a {@code Record} of key and payload. */
    public static final int RECORD = 1;
    /** The handler takes the Kafka {@code ConsumerRecord}. */
    public static final int CONSUMER_RECORD = 2;

    private static final Logger LOG = Logger.getLogger(KeyedBatches.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final KeyedStates states;
    private final KafkaClientService clients;
    private final Map<String, Boolean> stopsAtFailure = new ConcurrentHashMap<>();
    /** Channels stopped by a failure under {@code fail}: batches polled before the channel closed are not theirs to handle. */
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();

    KeyedBatches(KeyedStates states, KafkaClientService clients) {
        this.states = states;
        this.clients = clients;
    }

    /** The output of handlers that send to the Kafka channel {@code channel}; refuses what it cannot send as SmallRye would. */
    public KafkaOutput output(String channel) {
        return new KafkaOutput(channel, clients);
    }

    /** Handles a batch; a handler's non-null results go to {@code output}, null for a handler without results. */
    public CompletionStage<Void> process(String channel, KafkaRecordBatch<?, ?> batch, RecordHandler handler,
            int argument, KafkaOutput output) {
        if (stopped.contains(channel)) {
            // Neither handled nor acknowledged: the next owner of their partitions reads them again.
            return DONE;
        }
        Settlement settlement = new Settlement(channel);
        // Polled before their partition was let go: neither applied nor acknowledged. Applied to a shard
        // kept for the partition's return, they would count twice once processing resumes at the shard's
        // checkpoint; the partition's owner reads them again from there.
        Set<TopicPartition> notAdmitted = NotAdmitted.partitionsOf(batch);
        for (KafkaRecord<?, ?> each : batch.getRecords()) {
            if (settlement.stopped) {
                break; // an output failed under fail, as the handler's own failure would have
            }
            IncomingKafkaRecord<?, ?> record = (IncomingKafkaRecord<?, ?>) each;
            if (!notAdmitted.isEmpty() && notAdmitted.contains(new TopicPartition(record.getTopic(), record.getPartition()))) {
                continue;
            }
            Object key = record.getKey();
            Exception failure = key == null ? KeyBindingDecorator.nullKeyProblem(states, channel,
                    record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset()) : null;
            if (key != null) {
                try {
                    Object result = CurrentShardKey.callWithin(states.scope(channel, record.getPartition(), key),
                            () -> handler.handle(argumentOf(record, argument)));
                    if (result != null && output != null) {
                        settlement.send(output, record, result);
                    }
                } catch (Exception e) { // a checked one too, which the method may declare
                    failure = e;
                }
            }
            if (failure == null) {
                settlement.handled(record); // a skipped null key too: acknowledged in turn, not ahead of a nack
                continue;
            }
            boolean stop = stopsAtFailure(channel);
            if (stop) {
                stopped.add(channel); // first: the fail strategy closes the consumer within the nack
            }
            settlement.nack(record, failure, false);
            if (stop) {
                break;
            }
        }
        settlement.settled();
        return DONE;
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

    /**
     * What a batch still waits for before it is acknowledged: the handling loop itself, each output
     * send and each nack. The handled records are written by the loop only, before it settles;
     * the count's last decrement, on whichever thread, then sees them.
     */
    private final class Settlement {

        private final String channel;
        private final AtomicInteger pending = new AtomicInteger(1);
        private final Map<TopicPartition, KafkaRecord<?, ?>> lastHandled = new HashMap<>();
        /** An output failed under {@code fail} (the producer reports some failures within the send). */
        private volatile boolean stopped;

        Settlement(String channel) {
            this.channel = channel;
        }

        void handled(IncomingKafkaRecord<?, ?> record) {
            lastHandled.put(new TopicPartition(record.getTopic(), record.getPartition()), record);
        }

        void expect() {
            pending.incrementAndGet();
        }

        /** Hands {@code record} to the failure strategy; {@code expected}: already counted in (a send that failed). */
        void nack(IncomingKafkaRecord<?, ?> record, Throwable failure, boolean expected) {
            if (!expected) {
                expect();
            }
            try {
                record.nack(failure).whenComplete((ignored, alsoFailed) -> settled());
            } catch (RuntimeException e) {
                // The fail strategy may throw while it closes the consumer, having reported the failure.
                LOG.debugf(e, "The failure strategy of channel '%s' threw", channel);
                settled();
            }
        }

        void send(KafkaOutput output, IncomingKafkaRecord<?, ?> record, Object result) {
            expect();
            Written written = new Written(record, result);
            try {
                output.send(result, record, written);
            } catch (RuntimeException e) {
                if (written.called) {
                    return; // reported to the callback as well, which took care of it
                }
                settled(); // not sent, so no callback comes: the caller nacks the record
                throw e;
            }
        }

        /** Acknowledges the result message (if it is one) once written; a failed write fails its input record. */
        private final class Written implements Callback {

            private final IncomingKafkaRecord<?, ?> record;
            private final Object result;
            /** Set by the producer, which may call back from within the send. */
            volatile boolean called;

            Written(IncomingKafkaRecord<?, ?> record, Object result) {
                this.record = record;
                this.result = result;
            }

            @Override
            public void onCompletion(RecordMetadata metadata, Exception failure) {
                called = true;
                if (failure == null) {
                    if (result instanceof Message<?> message) {
                        message.ack();
                    }
                    settled();
                    return;
                }
                if (result instanceof Message<?> message) {
                    message.nack(failure);
                }
                if (stopsAtFailure(channel)) {
                    KeyedBatches.this.stopped.add(channel);
                    stopped = true;
                }
                // Off the producer's network thread, which a failure strategy must not hold up (fail closes the consumer).
                Infrastructure.getDefaultWorkerPool().execute(() -> nack(record, failure, true));
            }
        }

        void settled() {
            if (pending.decrementAndGet() == 0 && !KeyedBatches.this.stopped.contains(channel)) {
                lastHandled.values().forEach(KafkaRecord::ack);
            }
        }
    }
}
