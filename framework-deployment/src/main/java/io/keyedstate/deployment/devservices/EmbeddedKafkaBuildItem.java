package io.keyedstate.deployment.devservices;

import io.quarkus.builder.item.SimpleBuildItem;

/** Present when this JVM's embedded Kafka broker serves the application. */
public final class EmbeddedKafkaBuildItem extends SimpleBuildItem {

    private final String bootstrapServers;

    public EmbeddedKafkaBuildItem(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
