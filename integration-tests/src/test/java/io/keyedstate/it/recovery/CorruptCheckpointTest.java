package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The newest checkpoint of a partition is corrupted on disk while the app is down: the restart
 * logs a warning naming it, restores the previous one, and the final counts are exact.
 */
@QuarkusTest
class CorruptCheckpointTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aCorruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Map<String, String> config = run.appConfig("heap", "only");
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            config.put("quarkus.keyed-state.checkpoint.inline-threshold", "0"); // every file an object of its own
            run.startProducing(100, 400);
            try (SampleAppProcess first = SampleAppProcess.start("first", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> run.checkpointsOf(0).size() >= 2 || !first.isAlive());
                assertThat(first.isAlive()).as("%s is running", first).isTrue();
                assertThat(run.producing()).as("records still flow when the app is killed").isTrue();
                first.kill();
            }
            run.stopProducing();
            List<Path> checkpoints = run.checkpointsOf(0);
            Path newest = checkpoints.get(checkpoints.size() - 1);
            // A file only the newest checkpoint has (a delta, or a new full file): the one before stays intact.
            CheckpointManifest previous = manifest(checkpoints.get(checkpoints.size() - 2));
            CheckpointManifest.FileEntry own = manifest(newest).files().stream()
                    .filter(entry -> !previous.files().contains(entry)).findFirst().orElseThrow();
            Path file = own.isShared() ? newest.resolveSibling(own.location()) : newest.resolve(own.name());
            try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
                data.seek(Files.size(file) / 2);
                int b = data.read();
                data.seek(Files.size(file) / 2);
                data.write(b ^ 0xFF);
            }
            try (SampleAppProcess second = SampleAppProcess.start("second", config, run.logs)) {
                run.awaitExactCounts(Duration.ofMinutes(3));
                assertThat(second.log()).contains(run.wordsTopic + "-0/" + newest.getFileName() + " is corrupt");
                assertThat(second.log()).contains("Restored partition " + run.wordsTopic + "-0 from "
                        + checkpoints.get(checkpoints.size() - 2).getFileName());
            }
        }
    }

    private static CheckpointManifest manifest(Path checkpoint) throws java.io.IOException {
        return CheckpointManifest.fromJson(Files.readAllBytes(checkpoint.resolve(CheckpointManifest.NAME)));
    }
}
