package io.keyedstate.benchmarkapp;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.smallrye.common.annotation.NonBlocking;

/**
 * The end-to-end benchmark's job on this extension: a count per key, the same work as Kafka
 * Streams' {@code groupByKey().count()}, with no output. It prints {@code FIRST} at its first
 * record and {@code DONE} at the {@code bench.expected}-th, which the benchmark driver times.
 */
@ApplicationScoped
public class CountJob {

    @ConfigProperty(name = "bench.expected")
    long expected;

    @KeyedState
    ValueState<Long> count;

    private final AtomicLong processed = new AtomicLong();

    @Incoming("input")
    @NonBlocking
    public void count(String value) {
        count.set(count.getOrDefault(0L) + 1);
        long n = processed.incrementAndGet();
        if (n == 1) {
            System.out.println("FIRST");
        } else if (n == expected) {
            System.out.println("DONE");
        }
    }
}
