package io.keyedstate.deployment.devservices;

import io.quarkus.builder.item.SimpleBuildItem;

/** Present when this JVM's embedded Kafka broker serves the application. */
public final class EmbeddedKafkaBuildItem extends SimpleBuildItem {

    private final String bootstrapServers;
    private final String checkpointDir;

    public EmbeddedKafkaBuildItem(String bootstrapServers, String checkpointDir) {
        this.bootstrapServers = bootstrapServers;
        this.checkpointDir = checkpointDir;
    }

    /** Where keyed-state checkpoints of this broker's topics go, unless the application says otherwise. */
    public String checkpointDir() {
        return checkpointDir;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
