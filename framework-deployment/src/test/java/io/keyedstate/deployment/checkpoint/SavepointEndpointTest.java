package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.SavepointExistsException;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The savepoint endpoint, enabled and on the management interface: it takes savepoints there and
 * not on the main port, refuses invalid names (400) and names a savepoint of these partitions
 * already has (409, and {@link SavepointExistsException} in code), and a failed savepoint leaves
 * the earlier one whole. The listing holds metadata, never the state the manifests inline.
 */
class SavepointEndpointTest {

    private static final String TOPIC = "savepoint-endpoint";
    private static final int PARTITIONS = 4;
    private static final Path STORAGE = tempDir();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(IncrementalCheckpointScenario.Counter.class,
                    IncrementalCheckpointScenario.class, TestHttp.class))
            .overrideConfigKey("quarkus.keyed-state.savepoint-endpoint.enabled", "true")
            .overrideConfigKey("quarkus.management.enabled", "true")
            .overrideRuntimeConfigKey("quarkus.management.test-port", "0")
            .overrideRuntimeConfigKey("quarkus.http.test-port", "0")
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.interval", "1h") // taken by the test
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.filesystem.path", STORAGE.toString())
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.topic", TOPIC)
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.auto.offset.reset", "earliest");

    @Inject
    IncrementalCheckpointScenario.Counter counter;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @Test
    void aSavepointIsTakenOnTheManagementInterfaceAndNeverOverwritten() throws Exception {
        IncrementalCheckpointScenario.produce(counter, TOPIC, 0, 400);
        assertThat(post("http", "/q/keyed-state/savepoints/first").statusCode()).as("the main port").isIn(404, 405);

        HttpResponse<String> first = post("management", "/q/keyed-state/savepoints/first");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"savepoint\" : true").contains(TOPIC + "-3");
        assertThat(JSON.readTree(first.body())).hasSize(PARTITIONS);
        Map<Path, byte[]> manifests = manifests("first");
        assertThat(manifests).hasSize(PARTITIONS);

        IncrementalCheckpointScenario.produce(counter, TOPIC, 400, 100);
        HttpResponse<String> again = post("management", "/q/keyed-state/savepoints/first");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("first").contains(TOPIC + "-0");
        assertThatThrownBy(() -> checkpoints.savepoint("first")).isInstanceOfSatisfying(SavepointExistsException.class,
                exists -> assertThat(exists.partitions()).hasSize(PARTITIONS));
        assertUnchanged(manifests);
    }

    @Test
    void invalidNamesAreRefused() throws Exception {
        for (String name : List.of("bad%20name", "x".repeat(129), ".hidden", "a%2Fb")) {
            HttpResponse<String> refused = post("management", "/q/keyed-state/savepoints/" + name);
            assertThat(refused.statusCode()).as(name + ": " + refused.body()).isIn(400, 404);
        }
        assertThat(post("management", "/q/keyed-state/savepoints/bad%20name").statusCode()).isEqualTo(400);
        for (String name : List.of("..", ".", "a/b", "../x", "x".repeat(129), "")) {
            assertThatThrownBy(() -> checkpoints.savepoint(name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        try (Stream<Path> savepoints = list(application().resolve("savepoints"))) {
            assertThat(savepoints.map(path -> path.getFileName().toString())).noneMatch(name -> name.contains("bad"));
        }
    }

    @Test
    void theListingHoldsMetadataNotState() throws Exception {
        IncrementalCheckpointScenario.produce(counter, TOPIC, 1_000, 200);
        List<CheckpointInfo> taken = checkpoints.savepoint("listed").toCompletableFuture().get();
        assertThat(taken).hasSize(PARTITIONS).allMatch(CheckpointInfo::savepoint).allMatch(info -> info.fileCount() > 0);
        assertThat(new String(manifests("listed").values().iterator().next())).as("the stored manifest")
                .contains("\"inline\"");

        HttpResponse<String> listed = get("management", "/q/keyed-state/checkpoints");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        JsonNode root = JSON.readTree(listed.body());
        assertThat(root.has("savepoints/listed")).as(listed.body()).isTrue();
        assertThat(root.get("savepoints/listed")).hasSize(PARTITIONS);
        for (Iterator<JsonNode> folders = root.elements(); folders.hasNext();) {
            for (JsonNode info : folders.next()) {
                assertThat(fieldNames(info)).containsExactlyInAnyOrder("id", "n", "savepoint", "backend", "createdAt",
                        "offsets", "fileCount", "totalBytes", "uploadedBytes");
            }
        }
        assertThat(listed.body()).doesNotContain("inline").doesNotContain("crc32c");
        assertThat(get("http", "/q/keyed-state/checkpoints").statusCode()).as("the main port").isIn(404, 405);
    }

    @Test
    void aSavepointThatFailsToWriteLeavesAnEarlierOneWhole() throws Exception {
        IncrementalCheckpointScenario.produce(counter, TOPIC, 2_000, 200);
        checkpoints.savepoint("kept").toCompletableFuture().get();
        Map<Path, byte[]> kept = manifests("kept");

        // Storage that fails every write under savepoints/broken: a dangling link where its folder goes.
        Files.createSymbolicLink(application().resolve("savepoints/broken"), application().resolve("nowhere"));
        assertThatThrownBy(() -> checkpoints.savepoint("broken").toCompletableFuture().get())
                .isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> checkpoints.savepoint("kept")).isInstanceOf(SavepointExistsException.class);

        assertUnchanged(kept);
        assertThat(checkpoints.list().get("savepoints/kept")).hasSize(PARTITIONS);
        for (Path manifest : kept.keySet()) {
            assertRestorable(manifest);
        }
    }

    /** What a restore checks: every file the manifest lists is there, with its size and checksum. */
    private static void assertRestorable(Path manifestFile) throws IOException {
        CheckpointManifest manifest = CheckpointManifest.fromJson(Files.readAllBytes(manifestFile));
        for (CheckpointManifest.FileEntry file : manifest.files()) {
            byte[] content = file.isInline() ? file.inline() : Files.readAllBytes(manifestFile.resolveSibling(file.name()));
            CRC32C crc = new CRC32C();
            crc.update(content);
            assertThat(content).as(file.name()).hasSize((int) file.size());
            assertThat(crc.getValue()).as(file.name()).isEqualTo(file.crc32c());
        }
    }

    private static void assertUnchanged(Map<Path, byte[]> manifests) throws IOException {
        for (Map.Entry<Path, byte[]> manifest : manifests.entrySet()) {
            assertThat(Files.readAllBytes(manifest.getKey())).as(manifest.getKey().toString()).isEqualTo(manifest.getValue());
        }
    }

    /** The stored manifests of savepoint {@code name}, by path. */
    private static Map<Path, byte[]> manifests(String name) throws IOException {
        Map<Path, byte[]> manifests = new HashMap<>();
        try (Stream<Path> partitions = list(application().resolve("savepoints").resolve(name).resolve("channels/counts"))) {
            for (Path partition : (Iterable<Path>) partitions::iterator) {
                Path manifest = partition.resolve(CheckpointManifest.NAME);
                if (Files.exists(manifest)) {
                    manifests.put(manifest, Files.readAllBytes(manifest));
                }
            }
        }
        return manifests;
    }

    /** Under the storage path the application got: the test class is loaded twice, and STORAGE differs between the two. */
    private static Path application() {
        var config = ConfigProvider.getConfig();
        return Path.of(config.getValue("quarkus.keyed-state.checkpoint.filesystem.path", String.class))
                .resolve(config.getValue("quarkus.application.name", String.class));
    }

    private static Stream<Path> list(Path dir) throws IOException {
        return Files.exists(dir) ? Files.list(dir) : Stream.empty();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static HttpResponse<String> post(String server, String path) throws Exception {
        return TestHttp.send(server, "POST", path);
    }

    private static HttpResponse<String> get(String server, String path) throws Exception {
        return TestHttp.send(server, "GET", path);
    }

    private static Path tempDir() {
        try {
            return Files.createDirectories(Path.of("target")).toAbsolutePath().resolve("savepoint-endpoint-" + UUID.randomUUID());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
