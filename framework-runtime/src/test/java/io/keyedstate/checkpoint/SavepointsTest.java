package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keyedstate.SavepointExistsException;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;

/**
 * A savepoint name is refused per partition: instances of one group share a name, each for its own
 * partitions, and a partition whose savepoint failed half-way may be saved again under that name.
 */
class SavepointsTest {

    private static final String FOLDER = "app/savepoints/before-upgrade";

    @TempDir
    Path root;

    @TempDir
    Path local;

    @Test
    void onlyPartitionsWithACompleteSavepointOfTheNameAreRefused() throws Exception {
        FilesystemCheckpointStorage storage = new FilesystemCheckpointStorage(root);
        // Another instance saved words-2 and words-3; words-1 holds what a failed attempt wrote.
        byte[] manifest = CheckpointManifestTest.manifest().toJson();
        storage.writeAtomically(FOLDER + "/words-2/" + CheckpointManifest.NAME, manifest);
        storage.writeAtomically(FOLDER + "/words-3/" + CheckpointManifest.NAME, manifest);
        storage.write(FOLDER + "/words-1/MANIFEST-000011", Files.writeString(local.resolve("partial"), "partial"));

        Savepoints.refuseExisting(storage, "before-upgrade", FOLDER, List.of("words-0", "words-1"));
        assertThat(Savepoints.existing(storage, FOLDER, List.of("words-0", "words-1", "words-2", "words-3")))
                .containsExactly("words-2", "words-3");
        assertThatThrownBy(() -> Savepoints.refuseExisting(storage, "before-upgrade", FOLDER, List.of("words-1", "words-3")))
                .isInstanceOfSatisfying(SavepointExistsException.class, exists -> {
                    assertThat(exists.name()).isEqualTo("before-upgrade");
                    assertThat(exists.partitions()).containsExactly("words-3");
                });
    }

    @Test
    void savepointNamesArePlainAndBounded() {
        assertThat(StorageNames.isSavepointName("before-upgrade_2.1")).isTrue();
        assertThat(StorageNames.isSavepointName("x".repeat(StorageNames.MAX_SAVEPOINT_NAME))).isTrue();
        for (String name : List.of(".", "..", ".hidden", "a/b", "a\\b", "a b", "", "x".repeat(129), "é")) {
            assertThat(StorageNames.isSavepointName(name)).as(name).isFalse();
            assertThatThrownBy(() -> StorageNames.requireSavepointName(name)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
