package io.keyedstate.benchmarkapp;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * The end-to-end benchmark's job with outputs, written as the sample's word count is: a count per
 * key and one output record per input (the count as a decimal string) to Kafka. It prints
 * {@code FIRST} at its first record; the driver times it until every output is in the output topic.
 * When the benchmark measures counting alone, its topic is an empty one.
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
        long n = count.getOrDefault(0L) + 1;
        count.set(n);
        progress.handled(1);
        return Record.of(word.key(), Long.toString(n));
    }
}
