package io.keyedstate.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Counts words: one output record per input record, keyed by the word, valued by its count so far.
 * <p>
 * Until keyed state lands, the counts live in a plain map: they are neither sharded by partition nor
 * checkpointed, so a restart forgets them.
 */
@ApplicationScoped
public class WordCounter {

    private final Map<String, Long> counts = new ConcurrentHashMap<>();

    @Inject
    Progress progress;

    @Incoming("words")
    @Outgoing("counts")
    public Record<String, String> count(Record<String, String> word) {
        long count = counts.merge(word.key(), 1L, Long::sum);
        progress.recordProcessed(counts.size());
        return Record.of(word.key(), Long.toString(count));
    }
}
