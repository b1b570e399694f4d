package io.keyedstate.benchmarkapp;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;

/**
 * The end-to-end benchmark's jobs on this extension without outputs: a count per key, the same
 * work as Kafka Streams' {@code groupByKey().count()}, written three ways. {@code input} is
 * {@code @NonBlocking}, {@code input-blocking} has a blocking signature (the default for a method
 * returning void), both of which run batched; {@code input-per-record} returns a completion stage,
 * which keeps it on SmallRye's per-record path, where every handler ran before.
 */
@ApplicationScoped
public class CountJob {

    @KeyedState
    ValueState<Long> count;

    private final Progress progress;

    CountJob(Progress progress) {
        this.progress = progress;
    }

    @Incoming("input")
    @NonBlocking
    public void count(String value) {
        increment();
    }

    @Incoming("input-blocking")
    public void countBlocking(String value) {
        increment();
    }

    @Incoming("input-per-record")
    @NonBlocking
    public CompletionStage<Void> countPerRecord(String value) {
        increment();
        return CompletableFuture.completedFuture(null);
    }

    private void increment() {
        count.set(count.getOrDefault(0L) + 1);
        progress.handled(1);
    }
}
