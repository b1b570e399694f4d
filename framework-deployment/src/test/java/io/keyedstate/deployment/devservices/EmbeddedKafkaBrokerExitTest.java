package io.keyedstate.deployment.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

        public static void main(String[] args) {
            SharedKafkaBroker.bootstrapServers(OptionalInt.empty(), 1);
            // Its own broker's directory, named after it: guessing the newest one in the temporary
            // directory could pick another JVM's broker, whose directory changes as it creates topics.
            String checkpoints = SharedKafkaBroker.checkpointDir();
            Path logDir = Path.of(checkpoints.substring(0, checkpoints.length() - "-checkpoints".length()));
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                System.out.println(logDir + " is not the broker's directory");
                System.exit(2); // else the test's "deleted" would hold for any wrong path
            }
            System.out.println(MARKER + logDir);
            System.exit(0);
        }
    }
}
