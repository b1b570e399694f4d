package io.keyedstate.deployment.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerExitTest {

    @Test
    void brokerLogDirectoryIsDeletedWhenTheJvmExits() throws Exception {
        Path outputFile = Files.createTempFile("broker-exit-test", ".log");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"),
                StartBrokerAndExit.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile())
                .start();
        boolean exited = child.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = Files.readString(outputFile, StandardCharsets.UTF_8);
        Files.delete(outputFile);
        assertThat(exited).as("child JVM exited; output:\n%s", output).isTrue();
        assertThat(child.exitValue()).as("child JVM exit code; output:\n%s", output).isZero();

        Path logDir = output.lines()
                .filter(line -> line.startsWith(StartBrokerAndExit.MARKER))
                .map(line -> Path.of(line.substring(StartBrokerAndExit.MARKER.length())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("child did not report its log directory:\n" + output));
        assertThat(logDir).doesNotExist();
        assertThat(logDir.getParent()).exists();
    }

    /**
     * Starts the JVM's shared broker, reports where its data lives, and exits the JVM as the test
     * runner and dev mode do: with {@code System.exit}, as the broker's threads keep it alive.
     */
    public static final class StartBrokerAndExit {

        static final String MARKER = "LOG_DIR=";

        public static void main(String[] args) throws IOException {
            SharedKafkaBroker.bootstrapServers(OptionalInt.empty(), 1);
            try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                List<Path> ours = dirs.filter(dir -> dir.getFileName().toString().startsWith("keyed-state-kafka-"))
                        .filter(dir -> Files.exists(dir.resolve("meta.properties")))
                        .toList();
                // The broker just formatted its directory: the newest one with meta.properties is ours.
                Path newest = ours.stream().max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                        .orElseThrow();
                System.out.println(MARKER + newest);
            }
            System.exit(0);
        }
    }
}
