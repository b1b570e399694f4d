package io.keyedstate.benchmarkapp;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * The end-to-end benchmark's jobs with outputs, written as the sample's word count is: a count per
 * key and one output record per input (the count as a decimal string) to Kafka, three ways.
 * {@code words} is {@code @NonBlocking}, {@code words-blocking} has a blocking signature (the
 * default for a method returning a value), both of which run batched; {@code words-per-record}
 * declares its acknowledgement, which keeps it on SmallRye's per-record path, where every handler
 * with outputs ran before. Each prints {@code FIRST} at its first record; the driver times it until
 * every output is in the output topic. When the benchmark measures counting alone, their topics
 * are empty ones.
 */
@ApplicationScoped
public class WordCountJob {

    @KeyedState
    ValueState<Long> count;

    private final Progress progress;

    WordCountJob(Progress progress) {
        this.progress = progress;
    }

    @Incoming("words")
    @Outgoing("counts")
    @NonBlocking
    public Record<String, String> count(Record<String, String> word) {
        return Record.of(word.key(), increment());
    }

    @Incoming("words-blocking")
    @Outgoing("counts-blocking")
    public Record<String, String> countBlocking(Record<String, String> word) {
        return Record.of(word.key(), increment());
    }

    @Incoming("words-per-record")
    @Outgoing("counts-per-record")
    @Acknowledgment(Acknowledgment.Strategy.POST_PROCESSING)
    @NonBlocking
    public Record<String, String> countPerRecord(Record<String, String> word) {
        return Record.of(word.key(), increment());
    }

    private String increment() {
        long n = count.getOrDefault(0L) + 1;
        count.set(n);
        progress.handled(1);
        return Long.toString(n);
    }
}
