package io.keyedstate.runtime.metrics;

import java.util.List;
import java.util.Locale;

import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** RocksDB's meters: its shared cache and, when collected, its statistics. Loaded only with that backend. */
final class RocksDbMetrics {

    static final List<TickerType> TICKERS = List.of(TickerType.BLOCK_CACHE_HIT, TickerType.BLOCK_CACHE_MISS,
            TickerType.BLOOM_FILTER_USEFUL, TickerType.MEMTABLE_HIT, TickerType.MEMTABLE_MISS, TickerType.BYTES_WRITTEN,
            TickerType.BYTES_READ, TickerType.FLUSH_WRITE_BYTES, TickerType.COMPACT_READ_BYTES,
            TickerType.COMPACT_WRITE_BYTES, TickerType.STALL_MICROS);

    private RocksDbMetrics() {
    }

    static void bindTo(RocksDbStateBackend rocksdb, MeterRegistry registry) {
        Gauge.builder("keyed.state.rocksdb.block.cache.usage", rocksdb, RocksDbStateBackend::blockCacheUsage)
                .description("Bytes in RocksDB's shared block cache, memtables charged to it included")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("keyed.state.rocksdb.block.cache.pinned.usage", rocksdb, RocksDbStateBackend::blockCachePinnedUsage)
                .description("Bytes of RocksDB's block cache pinned by readers and by index and filter blocks")
                .baseUnit("bytes")
                .register(registry);
        rocksdb.statistics().ifPresent(statistics -> bindTickers(statistics, registry));
    }

    private static void bindTickers(Statistics statistics, MeterRegistry registry) {
        for (TickerType ticker : TICKERS) {
            String name = "keyed.state.rocksdb." + ticker.name().toLowerCase(Locale.ROOT).replace('_', '.');
            FunctionCounter.builder(name, statistics, s -> s.getTickerCount(ticker))
                    .description("RocksDB statistic " + ticker.name() + ", summed over every shard")
                    .register(registry);
        }
    }
}
