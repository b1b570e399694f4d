package io.keyedstate.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;

/** The backends benchmarks compare, configured as an application gets them by default. */
public final class BenchmarkBackends {

    private BenchmarkBackends() {
    }

    /** {@code heap}, or {@code rocksdb} in a new temporary directory with a 256 MiB memory cap. */
    public static StateBackend create(String kind, List<StateDescriptor> states) {
        StateCodecs codecs = new StateCodecs(new ObjectMapper(), Map.of());
        return switch (kind) {
            case "heap" -> new HeapStateBackend(states, System::currentTimeMillis, codecs, 10,
                    Boolean.parseBoolean(System.getProperty("bench.heap.compression", "true")));
            case "rocksdb" -> {
                try {
                    yield new RocksDbStateBackend(states, codecs,
                            RocksDbSettings.of(Files.createTempDirectory("keyed-state-bench-"), 256L << 20),
                            System::currentTimeMillis);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException("No backend " + kind + "; heap or rocksdb");
        };
    }
}
