package io.keyedstate.deployment.devservices;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * Apache Kafka's own single-node KRaft broker (combined broker and controller), run in this JVM on
 * loopback, with its log directory in a temporary folder that {@link #close()} deletes.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final KafkaRaftServer server;
    private final Path logDir;
    private final int port;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path logDir, int port) {
        this.server = server;
        this.logDir = logDir;
        this.port = port;
    }

    /**
     * Formats a fresh log directory and starts the broker; returns once it accepts clients.
     *
     * @param port the client port, or empty for a free one
     * @param partitions the partition count of topics created automatically
     */
    public static EmbeddedKafkaBroker start(OptionalInt port, int partitions) {
        Path logDir;
        try {
            logDir = Files.createTempDirectory("keyed-state-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the embedded Kafka broker's log directory", e);
        }
        KafkaRaftServer server = null;
        try {
            int clientPort = port.isPresent() ? port.getAsInt() : freePort();
            // KRaft needs the controller's port before start-up: the voter list names it.
            int controllerPort = freePort();
            KafkaConfig config = new KafkaConfig(brokerConfig(logDir, clientPort, controllerPort, partitions), false);
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            // Returns once the broker is unfenced and its listeners accept connections.
            server.startup();
            return new EmbeddedKafkaBroker(server, logDir, clientPort);
        } catch (Exception e) {
            if (server != null) {
                stop(server);
            }
            deleteRecursively(logDir);
            throw new IllegalStateException("Cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public Path logDir() {
        return logDir;
    }

    /**
     * Where applications on this broker keep their keyed-state checkpoints in dev and test mode:
     * they describe this broker's topics, so they live and die with its log directory.
     */
    public Path checkpointDir() {
        return logDir.resolveSibling(logDir.getFileName() + "-checkpoints");
    }

    /** Stops the broker and deletes its log directory and its checkpoints. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(server);
        deleteRecursively(logDir);
        deleteRecursively(checkpointDir());
    }

    private static Map<String, Object> brokerConfig(Path logDir, int clientPort, int controllerPort, int partitions) {
        Map<String, Object> config = new HashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        config.put("log.dirs", logDir.toString());
        config.put("num.partitions", String.valueOf(partitions));
        config.put("auto.create.topics.enable", "true");
        // One node: every internal topic has a single replica.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        // A dev broker has no reason to delay the first rebalance of a group.
        config.put("group.initial.rebalance.delay.ms", "0");
        return config;
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + root, e);
        }
    }
}
