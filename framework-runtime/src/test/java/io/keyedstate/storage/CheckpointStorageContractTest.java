package io.keyedstate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;
import io.keyedstate.storage.s3.S3CheckpointStorage;
import io.keyedstate.storage.s3.S3Settings;
import io.keyedstate.testing.S3ProxyServer;

/**
 * What the checkpoint coordinator relies on from any storage, run against a directory and against
 * a real S3-protocol server (S3Proxy), each in a fresh root.
 */
class CheckpointStorageContractTest {

    @TempDir
    Path root;

    @TempDir
    Path local;

    private final List<CheckpointStorage> opened = new ArrayList<>();

    static Stream<String> storages() {
        return Stream.of("filesystem", "s3");
    }

    @AfterEach
    void close() {
        opened.forEach(CheckpointStorage::close);
    }

    private CheckpointStorage storage(String kind) throws Exception {
        CheckpointStorage storage = switch (kind) {
            case "filesystem" -> new FilesystemCheckpointStorage(root);
            case "s3" -> {
                S3ProxyServer s3 = S3ProxyServer.shared();
                S3CheckpointStorage bucket = new S3CheckpointStorage(new S3Settings(s3.endpoint(), s3.region(),
                        "contract", "run-" + UUID.randomUUID(), s3.accessKey(), s3.secretKey(), true, true, 5L << 20, 4,
                        Duration.ofSeconds(5), Duration.ofSeconds(30), 3));
                bucket.verifyBucket();
                yield bucket;
            }
            default -> throw new IllegalArgumentException(kind);
        };
        opened.add(storage);
        return storage;
    }

    @ParameterizedTest
    @MethodSource("storages")
    void filesAreStoredReadAndListedByFolder(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
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

    @ParameterizedTest
    @MethodSource("storages")
    void aMissingFileIsReportedAsSuch(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        assertThatThrownBy(() -> storage.read("app/words-0/chk-9-g1/_manifest")).isInstanceOf(NoSuchFileException.class);
    }

    @ParameterizedTest
    @MethodSource("storages")
    void writesReplaceAndLeaveNoTemporaryFilesBehind(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        storage.writeAtomically("app/words-0/chk-1-g1/_manifest", "first".getBytes(StandardCharsets.UTF_8));
        storage.writeAtomically("app/words-0/chk-1-g1/_manifest", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(storage.read("app/words-0/chk-1-g1/_manifest"), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(storage.list("app/words-0/chk-1-g1")).containsExactly("_manifest");
    }

    @ParameterizedTest
    @MethodSource("storages")
    void aLargeFileGoesUpInPartsAndComesBackIntact(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        byte[] data = new byte[12 << 20]; // more than two 5 MiB parts
        new java.util.Random(7).nextBytes(data);
        Path source = Files.write(local.resolve("big.sst"), data);
        storage.write("app/words-0/chk-1-g1/big.sst", source);
        Path copy = local.resolve("big-copy.sst");
        storage.read("app/words-0/chk-1-g1/big.sst", copy);
        assertThat(Files.readAllBytes(copy)).isEqualTo(data);
    }

    @ParameterizedTest
    @MethodSource("storages")
    void deletingAFolderRemovesEverythingUnderIt(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        Path source = Files.writeString(local.resolve("state.bin"), "state");
        storage.write("app/words-0/chk-1-g1/state.bin", source);
        storage.write("app/words-0/chk-1-g1/nested/more.bin", source);
        storage.deleteAll("app/words-0/chk-1-g1");
        storage.deleteAll("app/words-0/chk-7-g1"); // absent: nothing to do
        assertThat(storage.list("app/words-0")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("storages")
    void aFileKnowsWhenItWasWritten(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        java.time.Instant before = java.time.Instant.now().minusSeconds(2); // S3 keeps whole seconds
        storage.write("app/words-0/shared/chk-1-g1-a.sst", Files.writeString(local.resolve("a.sst"), "a"));
        assertThat(storage.lastModified("app/words-0/shared/chk-1-g1-a.sst"))
                .isBetween(before, java.time.Instant.now().plusSeconds(2));
        assertThatThrownBy(() -> storage.lastModified("app/words-0/shared/gone.sst"))
                .isInstanceOf(NoSuchFileException.class);
    }

    @ParameterizedTest
    @MethodSource("storages")
    void pathsCannotLeaveTheRoot(String kind) throws Exception {
        CheckpointStorage storage = storage(kind);
        assertThatThrownBy(() -> storage.read("../outside")).isInstanceOf(IllegalArgumentException.class);
    }
}
