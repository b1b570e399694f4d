package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A manifest is read back as written, and one that {@code toJson} cannot have written is refused. */
public class CheckpointManifestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String WORDS_ID = "q2mRA1SZTtqUHTpeHZvYBQ";

    /** A manifest with files of each kind, shared, private and inline; for other packages' tests too. */
    public static CheckpointManifest manifest() {
        return new CheckpointManifest("chk-7-g3", 7, 3, false, "before-upgrade", "rocksdb", Instant.parse("2025-01-02T03:04:05Z"),
                Map.of("words-0", 1234L), Map.of("words-0", 1_700_000_000_000L), SchemaCheckTest.manifest("rocksdb",
                        List.of(SchemaCheckTest.COUNT, SchemaCheckTest.PER_HOUR), SchemaCheckTest.BUILT_IN, false, true).states(),
                List.of(new CheckpointManifest.FileEntry("000012.sst", 4096, 0xCAFEL, "shared/chk-5-g3-000012.sst"),
                        new CheckpointManifest.FileEntry("MANIFEST-000011", 70_000, 17, null),
                        CheckpointManifest.FileEntry.inline("CURRENT", "MANIFEST-000011\n".getBytes(StandardCharsets.UTF_8))),
                74_096, Map.of("words", WORDS_ID));
    }

    /** The manifest's JSON with {@code change} applied to it. */
    private static byte[] tampered(Consumer<ObjectNode> change) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(manifest().toJson());
        change.accept(root);
        return JSON.writeValueAsBytes(root);
    }

    private static ObjectNode file(ObjectNode root, int index) {
        return (ObjectNode) root.get("files").get(index);
    }

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        CheckpointManifest read = CheckpointManifest.fromJson(manifest().toJson());
        CheckpointManifest written = manifest();
        assertThat(read).usingRecursiveComparison().ignoringFields("files").isEqualTo(written);
        assertThat(read.files()).hasSize(3);
        assertThat(read.files().get(0)).isEqualTo(written.files().get(0));
        assertThat(read.files().get(2).inline()).isEqualTo(written.files().get(2).inline());
    }

    @Test
    void topicIdsAreReadBackAndAManifestWithoutThemHasNone() throws IOException {
        assertThat(CheckpointManifest.fromJson(manifest().toJson()).topicIds()).isEqualTo(Map.of("words", WORDS_ID));
        // As manifests were written before topic ids were recorded, or when they could not be read.
        byte[] older = tampered(root -> root.remove("topicIds"));
        CheckpointManifest read = CheckpointManifest.fromJson(older);
        assertThat(read.topicIds()).isEmpty();
        assertThat(read.offsets()).isEqualTo(manifest().offsets());
        assertThat(JSON.readTree(read.toJson()).has("topicIds")).as("topicIds written when there are none").isFalse();
    }

    @Test
    void topicIdsThatAreNotKafkaTopicIdsAreRefused() {
        for (String id : List.of("", "not-an-id", WORDS_ID + "A", "q2mRA1SZTtqUHTpeHZvYB/")) {
            assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("topicIds"))
                    .put("words", id)))).isInstanceOf(IOException.class).hasMessageContaining("topicIds");
        }
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("topicIds"))
                .put("words", 42)))).isInstanceOf(IOException.class).hasMessageContaining("topicIds.words");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("topicIds"))
                .put("", WORDS_ID)))).isInstanceOf(IOException.class).hasMessageContaining("topicIds");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> root.put("topicIds", WORDS_ID))))
                .isInstanceOf(IOException.class).hasMessageContaining("topicIds");
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "/etc/x", "a/b", "a\\b", "..", ".", "", "C:x", "x\u0000" })
    void aFileNameThatIsNotAPlainNameIsRefused(String name) {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 1).put("name", name))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[1].name");
    }

    @Test
    void aFileNameLongerThanAFileSystemTakesIsRefused() {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 1).put("name", "x".repeat(256)))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[1].name");
    }

    @ParameterizedTest
    @ValueSource(strings = { "../shared/x", "shared/../x", "shared/a/b", "shared/", "other/x", "/shared/x", "x" })
    void aSharedLocationOutsideSharedIsRefused(String location) {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 0).put("location", location))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[0].location");
    }

    @Test
    void aStateOfUnknownKindOrListedTwiceIsRefused() {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("states").get(1))
                .put("kind", "gizmo")))).isInstanceOf(IOException.class).hasMessageContaining("states[1].kind");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("states").get(1))
                .put("id", "app.WordCounter.count")))).isInstanceOf(IOException.class)
                .hasMessageContaining("states[1].id 'app.WordCounter.count' is listed twice");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("states").get(0)
                .get("value")).put("version", "one")))).isInstanceOf(IOException.class)
                .hasMessageContaining("states[0].value.version");
    }

    @Test
    void aNegativeOrHugeSizeIsRefused() {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 1).put("size", -1))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[1].size");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 1).put("size", (1L << 40) + 1))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[1].size");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 1).put("size", "70000"))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[1].size");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> root.put("uploadedBytes", -5))))
                .isInstanceOf(IOException.class).hasMessageContaining("uploadedBytes");
    }

    @Test
    void anIdThatIsNotACheckpointFolderNameIsRefused() {
        for (String id : List.of("../chk-7-g3", "chk-7-g3/..", "savepoints", "")) {
            assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> root.put("id", id))))
                    .isInstanceOf(IOException.class).hasMessageContaining("id");
        }
    }

    @Test
    void otherDamageIsRefusedNamingTheField() {
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 2).put("name", "000012.sst"))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[2].name").hasMessageContaining("twice");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 2).put("size", 3))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[2].inline");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> file(root, 0).put("crc32c", 1L << 32))))
                .isInstanceOf(IOException.class).hasMessageContaining("files[0].crc32c");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("offsets")).put("words-0", -1))))
                .isInstanceOf(IOException.class).hasMessageContaining("offsets.words-0");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> ((ObjectNode) root.get("offsets")).put("words", 1))))
                .isInstanceOf(IOException.class).hasMessageContaining("offsets");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> root.remove("files"))))
                .isInstanceOf(IOException.class).hasMessageContaining("files");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(tampered(root -> root.put("createdAt", "yesterday"))))
                .isInstanceOf(IOException.class).hasMessageContaining("createdAt");
    }
}
