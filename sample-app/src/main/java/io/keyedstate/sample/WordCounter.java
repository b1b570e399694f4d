package io.keyedstate.sample;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Counts words: one output record per input record, keyed by the word, valued by its count so far.
 * {@code @NonBlocking}: it only touches keyed state, so it runs on the event loop rather than being
 * handed to a worker thread and back for every record.
 */
@ApplicationScoped
public class WordCounter {

    @KeyedState
    ValueState<Long> count;

    @Inject
    Progress progress;

    @Incoming("words")
    @Outgoing("counts")
    @NonBlocking
    public Record<String, String> count(Record<String, String> word) {
        long n = count.getOrDefault(0L) + 1;
        count.set(n);
        progress.recordProcessed();
        return Record.of(word.key(), Long.toString(n));
    }
}
