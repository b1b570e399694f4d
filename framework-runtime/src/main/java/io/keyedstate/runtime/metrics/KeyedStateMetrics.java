package io.keyedstate.runtime.metrics;

import java.util.Locale;

import jakarta.inject.Singleton;


import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.runtime.KeyedStateConfig;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.state.StateShard;
import io.keyedstate.timer.TimerService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Keyed-state metrics for Micrometer, registered by the build only when the application has a
 * Micrometer extension: shards and their size for every backend, checkpoints and restores, timers fired; for RocksDB, the shared cache and,
 * when {@code quarkus.keyed-state.rocksdb.statistics=true}, RocksDB's own counters.
 */
@Singleton
public class KeyedStateMetrics implements MeterBinder {

    private final KeyedStates states;

    KeyedStateMetrics(KeyedStates states) {
        this.states = states;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        StateBackend backend = states.backend();
        String backendName = states.config().backend().name().toLowerCase(Locale.ROOT);
        Gauge.builder("keyed.state.shards", backend, b -> b.shards().size())
                .description("Partition shards this instance owns")
                .tag("backend", backendName)
                .register(registry);
        Gauge.builder("keyed.state.size", backend, KeyedStateMetrics::estimatedBytes)
                .description("Estimated encoded size of the state of every shard")
                .baseUnit("bytes")
                .tag("backend", backendName)
                .register(registry);
        states.coordinator().addListener(new CheckpointMetrics(registry));
        states.timers().ifPresent(timers -> {
            FunctionCounter.builder("keyed.state.timers.fired", timers, TimerService::firedCount)
                    .description("Timers fired, their @OnTimer method called")
                    .register(registry);
            FunctionCounter.builder("keyed.state.timers.failed", timers, TimerService::failedCount)
                    .description("Timers whose @OnTimer method failed (logged, not fired again)")
                    .register(registry);
        });
        if (states.config().backend() == KeyedStateConfig.Backend.ROCKSDB) {
            // Only then: RocksDB is an optional dependency, and its classes may not be there.
            RocksDbMetrics.bindTo((RocksDbStateBackend) backend, registry);
        }
    }

    private static double estimatedBytes(StateBackend backend) {
        long bytes = 0;
        for (StateShard shard : backend.shards()) {
            try {
                bytes += shard.estimatedBytes();
            } catch (io.keyedstate.backend.ShardClosedException e) {
                // let go while it was measured
            }
        }
        return bytes;
    }
}
