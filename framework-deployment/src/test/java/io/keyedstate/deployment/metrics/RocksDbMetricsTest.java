package io.keyedstate.deployment.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.keyedstate.runtime.KeyedStates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.QuarkusUnitTest;

/** With Micrometer present and statistics on, keyed state and RocksDB report their metrics. */
class RocksDbMetricsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Counter.class, TestRegistry.class))
            .overrideConfigKey("kafka.bootstrap.servers", "127.0.0.1:9")
            .overrideRuntimeConfigKey("quarkus.keyed-state.backend", "rocksdb")
            .overrideRuntimeConfigKey("quarkus.keyed-state.rocksdb.statistics", "true")
            .overrideRuntimeConfigKey("quarkus.keyed-state.rocksdb.memory-limit", "16M")
            .overrideRuntimeConfigKey("quarkus.keyed-state.rocksdb.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "keyed-state-metrics-test").toString());

    @Inject
    Counter counter;

    @Inject
    KeyedStates states;

    @Inject
    SimpleMeterRegistry registry;

    @Test
    void shardsSizeCacheAndRocksDbCountersAreExposed() {
        for (int i = 0; i < 1_000; i++) {
            states.callScoped(null, "words", i % 2, "key-" + i, () -> {
                counter.increment();
                return null;
            });
        }

        assertThat(registry.get("keyed.state.shards").tag("backend", "rocksdb").gauge().value()).isEqualTo(2.0);
        assertThat(registry.get("keyed.state.size").gauge().value()).isPositive();
        assertThat(registry.get("keyed.state.rocksdb.block.cache.usage").gauge().value()).isPositive();
        assertThat(registry.get("keyed.state.rocksdb.bytes.written").functionCounter().count()).isPositive();
        assertThat(registry.get("keyed.state.rocksdb.memtable.miss").functionCounter().count()).isPositive();
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }

        void increment() {
            count.set(count.getOrDefault(0L) + 1);
        }
    }

    /** A registry the test can read; Quarkus adds every MeterRegistry bean to its global composite. */
    public static class TestRegistry {
        @Produces
        @Singleton
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }
}
