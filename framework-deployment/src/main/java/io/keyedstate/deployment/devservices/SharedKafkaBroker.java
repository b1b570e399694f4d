package io.keyedstate.deployment.devservices;

import java.util.List;
import java.util.OptionalInt;
import java.util.logging.Level;

import org.jboss.logging.Logger;

/**
 * The one embedded broker of this JVM. Dev-mode restarts and test profiles re-run the build, each
 * time possibly in a new deployment class loader, so the running broker's address is also kept in
 * a system property that every loader sees. The broker lives until the JVM exits: Quarkus does not
 * close dev services at JVM exit, so a shutdown hook stops it and deletes its log directory.
 */
final class SharedKafkaBroker {

    static final String BOOTSTRAP_SERVERS_PROPERTY = "keyedstate.devservices.kafka.bootstrap-servers";
    static final String CHECKPOINT_DIR_PROPERTY = "keyedstate.devservices.kafka.checkpoint-dir";

    private static final Logger LOG = Logger.getLogger(SharedKafkaBroker.class);

    /**
     * The broker's own log categories (not the clients' {@code org.apache.kafka.clients}). At INFO
     * they write hundreds of lines per start that bury the application's log; an application's
     * {@code quarkus.log.category} settings, applied later at start-up, still win.
     */
    private static final List<java.util.logging.Logger> BROKER_LOGGERS = List.of("kafka", "state.change.logger",
            "org.apache.kafka.controller", "org.apache.kafka.coordinator", "org.apache.kafka.image",
            "org.apache.kafka.metadata", "org.apache.kafka.queue", "org.apache.kafka.raft", "org.apache.kafka.server",
            "org.apache.kafka.snapshot", "org.apache.kafka.storage")
            .stream().map(java.util.logging.Logger::getLogger).toList();

    private SharedKafkaBroker() {
    }

    /** The checkpoint directory that goes with the running broker; call after {@link #bootstrapServers}. */
    static String checkpointDir() {
        return System.getProperty(CHECKPOINT_DIR_PROPERTY);
    }

    /** The running broker's bootstrap address, starting the broker first if this JVM has none. */
    static synchronized String bootstrapServers(OptionalInt port, int partitions) {
        String running = System.getProperty(BOOTSTRAP_SERVERS_PROPERTY);
        if (running != null) {
            LOG.debugf("Reusing this JVM's embedded Kafka broker at %s", running);
            return running;
        }
        BROKER_LOGGERS.forEach(logger -> logger.setLevel(Level.WARNING));
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(port, partitions);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "keyed-state-kafka-shutdown"));
        System.setProperty(CHECKPOINT_DIR_PROPERTY, broker.checkpointDir().toString());
        System.setProperty(BOOTSTRAP_SERVERS_PROPERTY, broker.bootstrapServers());
        LOG.infof("Embedded Kafka broker (Apache Kafka KRaft, in-process) started: kafka.bootstrap.servers=%s"
                + " (topics created automatically get %d partitions)", broker.bootstrapServers(), partitions);
        return broker.bootstrapServers();
    }
}
