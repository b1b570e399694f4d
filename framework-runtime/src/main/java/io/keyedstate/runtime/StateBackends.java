package io.keyedstate.runtime;

import java.nio.file.Path;
import java.util.List;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;

/** Creates the configured state backend, from configuration {@link ConfigChecks} has checked. */
final class StateBackends {

    private StateBackends() {
    }

    static StateBackend create(List<StateDescriptor> states, KeyedStateConfig config, StateCodecs codecs) {
        return switch (config.backend()) {
            case HEAP -> new HeapStateBackend(states, System::currentTimeMillis, codecs, config.heap().fullSnapshotEvery(),
                    config.heap().snapshotCompression());
            case ROCKSDB -> {
                RocksDbConfig rocksdb = config.rocksdb();
                Path dir = rocksdb.dir().orElseGet(
                        () -> Path.of(System.getProperty("java.io.tmpdir"), "quarkus-keyed-state", "rocksdb"));
                yield new RocksDbStateBackend(states, codecs, new RocksDbSettings(dir, rocksdb.memoryLimit().asLongValue(),
                        rocksdb.writeBufferRatio(), rocksdb.highPriorityPoolRatio(), rocksdb.profile(), rocksdb.dbOptions(),
                        rocksdb.columnFamilyOptions(), rocksdb.statistics(), rocksdb.writeCacheSize().asLongValue()),
                        System::currentTimeMillis);
            }
        };
    }
}
