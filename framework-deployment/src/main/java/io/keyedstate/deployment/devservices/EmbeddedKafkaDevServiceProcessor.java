package io.keyedstate.deployment.devservices;

import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.quarkus.deployment.IsDevServicesSupportedByLaunchMode;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.BuildSteps;
import io.quarkus.deployment.builditem.DevServicesAdditionalConfigBuildItem;
import io.quarkus.deployment.dev.devservices.DevServiceDescriptionBuildItem;
import io.quarkus.deployment.dev.devservices.DevServicesConfig;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Dev Services for Kafka without a container runtime. It deliberately produces no
 * {@code DevServicesResultBuildItem}: Quarkus probes Docker for each of those in dev mode, and that
 * probe is what logs Testcontainers errors on machines without Docker. The bootstrap address goes to
 * the application (and to {@code @QuarkusIntegrationTest} launches) as dev-services config instead.
 */
@BuildSteps(onlyIf = { IsDevServicesSupportedByLaunchMode.class, DevServicesConfig.Enabled.class })
class EmbeddedKafkaDevServiceProcessor {

    private static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    private static final String CHECKPOINT_PATH = "quarkus.keyed-state.checkpoint.filesystem.path";
    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaDevServiceProcessor.class);

    @BuildStep
    void embeddedKafkaBroker(KafkaDevServicesConfig config, BuildProducer<EmbeddedKafkaBuildItem> broker) {
        if (!config.enabled()) {
            LOG.debug("Not starting the embedded Kafka broker: quarkus.keyed-state.devservices.enabled is false");
            return;
        }
        if (ConfigUtils.isPropertyNonEmpty(BOOTSTRAP_SERVERS)) {
            LOG.debug("Not starting the embedded Kafka broker: kafka.bootstrap.servers is set");
            return;
        }
        String bootstrapServers = SharedKafkaBroker.bootstrapServers(config.port(), config.partitions());
        broker.produce(new EmbeddedKafkaBuildItem(bootstrapServers, SharedKafkaBroker.checkpointDir()));
    }

    @BuildStep
    void bootstrapServersConfig(Optional<EmbeddedKafkaBuildItem> broker,
            BuildProducer<DevServicesAdditionalConfigBuildItem> config) {
        broker.ifPresent(running -> config.produce(new DevServicesAdditionalConfigBuildItem(devServicesConfig -> {
            Map<String, String> provided = new java.util.HashMap<>();
            provided.put(BOOTSTRAP_SERVERS, running.bootstrapServers());
            // Checkpoints of a broker that goes away with the JVM would restore state of topics that are gone.
            if (!ConfigUtils.isPropertyNonEmpty(CHECKPOINT_PATH)) {
                provided.put(CHECKPOINT_PATH, running.checkpointDir());
            }
            return provided;
        })));
    }

    @BuildStep
    void devServiceDescription(Optional<EmbeddedKafkaBuildItem> broker,
            BuildProducer<DevServiceDescriptionBuildItem> description) {
        broker.ifPresent(running -> description.produce(new DevServiceDescriptionBuildItem("keyed-state-kafka",
                "Apache Kafka KRaft broker embedded in this JVM", (io.quarkus.deployment.dev.devservices.ContainerInfo) null,
                Map.of(BOOTSTRAP_SERVERS, running.bootstrapServers()))));
    }
}
