package io.keyedstate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;

/** What the checkpoint coordinator relies on from any storage. The S3 storage will run it too. */
class CheckpointStorageContractTest {

    @TempDir
    Path root;

    @TempDir
    Path local;

    private CheckpointStorage storage() {
        return new FilesystemCheckpointStorage(root);
    }

    @Test
    void filesAreStoredReadAndListedByFolder() throws Exception {
        CheckpointStorage storage = storage();
        Path source = Files.writeString(local.resolve("state.bin"), "state");
        storage.write("app/words-0/chk-1-g1/state.bin", source);
        storage.writeAtomically("app/words-0/chk-1-g1/_manifest", "{}".getBytes(StandardCharsets.UTF_8));
        storage.write("app/words-0/chk-2-g1/state.bin", source);

        assertThat(storage.list("app/words-0")).containsExactly("chk-1-g1", "chk-2-g1");
        assertThat(storage.list("app/words-0/chk-1-g1")).containsExactlyInAnyOrder("_manifest", "state.bin");
        assertThat(storage.list("app/nothing-here")).isEmpty();
        assertThat(new String(storage.read("app/words-0/chk-1-g1/_manifest"), StandardCharsets.UTF_8)).isEqualTo("{}");
        Path copy = local.resolve("copy.bin");
        storage.read("app/words-0/chk-2-g1/state.bin", copy);
        assertThat(Files.readString(copy)).isEqualTo("state");
    }

    @Test
    void aMissingFileIsReportedAsSuch() {
        assertThatThrownBy(() -> storage().read("app/words-0/chk-9-g1/_manifest")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void writesReplaceAndLeaveNoTemporaryFilesBehind() throws Exception {
        CheckpointStorage storage = storage();
        storage.writeAtomically("app/words-0/chk-1-g1/_manifest", "first".getBytes(StandardCharsets.UTF_8));
        storage.writeAtomically("app/words-0/chk-1-g1/_manifest", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(storage.read("app/words-0/chk-1-g1/_manifest"), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(storage.list("app/words-0/chk-1-g1")).containsExactly("_manifest");
        try (var files = Files.list(root.resolve("app/words-0/chk-1-g1"))) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void deletingAFolderRemovesEverythingUnderIt() throws Exception {
        CheckpointStorage storage = storage();
        Path source = Files.writeString(local.resolve("state.bin"), "state");
        storage.write("app/words-0/chk-1-g1/state.bin", source);
        storage.write("app/words-0/chk-1-g1/nested/more.bin", source);
        storage.deleteAll("app/words-0/chk-1-g1");
        storage.deleteAll("app/words-0/chk-7-g1"); // absent: nothing to do
        assertThat(storage.list("app/words-0")).isEmpty();
    }

    @Test
    void pathsCannotLeaveTheRoot() {
        assertThatThrownBy(() -> storage().read("../outside")).isInstanceOf(IllegalArgumentException.class);
    }
}
