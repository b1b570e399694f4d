package io.keyedstate.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

class RocksDbProfileTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void aProfileTunesRocksDbAndConfiguredOptionsWin() {
        try (DBOptions db = RocksDbSharedResources.dbOptionsOf(RocksDbProfile.SPINNING_DISK, Map.of("max_background_jobs", "6"));
                ColumnFamilyOptions columns = RocksDbSharedResources.columnFamilyOptionsOf(RocksDbProfile.SPINNING_DISK, Map.of())) {
            assertThat(db.maxBackgroundJobs()).isEqualTo(6);
            assertThat(db.maxOpenFiles()).isEqualTo(-1);
            assertThat(db.compactionReadaheadSize()).isEqualTo(2L << 20);
            assertThat(columns.targetFileSizeBase()).isEqualTo(256L << 20);
            assertThat(columns.levelCompactionDynamicLevelBytes()).isTrue();
        }
    }

    @Test
    void theDefaultProfileKeepsRocksDbDefaults() {
        try (DBOptions db = RocksDbSharedResources.dbOptionsOf(RocksDbProfile.DEFAULT, Map.of());
                DBOptions plain = new DBOptions()) {
            assertThat(db.maxBackgroundJobs()).isEqualTo(plain.maxBackgroundJobs());
            assertThat(db.maxOpenFiles()).isEqualTo(plain.maxOpenFiles());
        }
    }

    @Test
    void anUnknownOptionIsRejectedWithItsName() {
        assertThatThrownBy(() -> RocksDbSharedResources.dbOptionsOf(RocksDbProfile.DEFAULT, Map.of("max_backgroud_jobs", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_backgroud_jobs")
                .hasMessageContaining("quarkus.keyed-state.rocksdb.db-options");
    }
}
