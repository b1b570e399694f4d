package io.keyedstate.benchmarkapp;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the benchmark driver times: {@code FIRST} at the first record any job handles,
 * {@code WARM} at the end of its warm-up (a fifth of {@code bench.expected}) and {@code DONE} at the
 * {@code bench.expected}-th. Only the job being measured reads records.
 */
@ApplicationScoped
public class Progress {

    @ConfigProperty(name = "bench.expected")
    long expected;

    private final AtomicLong processed = new AtomicLong();

    void handled(long records) {
        long before = processed.getAndAdd(records);
        if (before == 0 && records > 0) {
            System.out.println("FIRST");
        }
        long warm = expected / 5; // the driver's warm-up: a fifth of the input
        if (before < warm && before + records >= warm) {
            System.out.println("WARM");
        }
        if (before < expected && before + records >= expected) {
            System.out.println("DONE");
        }
    }
}
