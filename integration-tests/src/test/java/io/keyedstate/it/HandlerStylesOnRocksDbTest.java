package io.keyedstate.it;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The same records, handlers and assertions, with the RocksDB backend. */
@QuarkusTest
@TestProfile(HandlerStylesOnRocksDbTest.RocksDb.class)
class HandlerStylesOnRocksDbTest extends HandlerStylesTest {

    public static class RocksDb implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.keyed-state.backend", "rocksdb",
                    "quarkus.keyed-state.rocksdb.memory-limit", "64M",
                    "test.topic-prefix", "rocksdb-");
        }
    }
}
