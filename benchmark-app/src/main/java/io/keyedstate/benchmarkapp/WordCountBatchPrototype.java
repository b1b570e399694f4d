package io.keyedstate.benchmarkapp;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedScope;
import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;

/**
 * The word count with outputs, written the way a fast path inside SmallRye's connector would run
 * it: a poll's records at a time from a batch channel, each scoped to its key in a tight loop, the
 * outputs sent straight to a Kafka producer and the batch acknowledged once all of them are,
 * without waiting for that before the next batch. It is
 * the benchmark's measure of what that design can reach, not a way users are meant to write jobs.
 */
@ApplicationScoped
public class WordCountBatchPrototype {

    @KeyedState
    ValueState<Long> count;

    private final Progress progress;
    private final KafkaProducer<String, String> producer;
    private final String countsTopic;

    WordCountBatchPrototype(Progress progress, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
            @ConfigProperty(name = "bench.counts-topic") String countsTopic) {
        this.progress = progress;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
        this.countsTopic = countsTopic;
    }

    /**
     * Acknowledged by hand once every output is, so that the next poll's records are processed
     * while this batch's outputs are still on their way: waiting for them would leave the thread
     * idle for a produce round trip per poll.
     */
    @Incoming("words-batch")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> count(KafkaRecordBatch<String, String> batch) {
        ConsumerRecords<String, String> records = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow().getRecords();
        AtomicInteger pending = new AtomicInteger(records.count() + 1);
        Callback done = (metadata, failure) -> {
            if (failure != null) {
                batch.nack(failure);
            } else if (pending.decrementAndGet() == 0) {
                batch.ack();
            }
        };
        for (ConsumerRecord<String, String> record : records) {
            long n = KeyedScope.call("words-batch", record, () -> {
                long next = count.getOrDefault(0L) + 1;
                count.set(next);
                return next;
            });
            producer.send(new ProducerRecord<>(countsTopic, record.key(), Long.toString(n)), done);
        }
        progress.handled(records.count());
        if (pending.decrementAndGet() == 0) {
            batch.ack();
        }
        return CompletableFuture.completedFuture(null);
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
