package io.keyedstate.deployment.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.test.QuarkusUnitTest;

class NoEmbeddedBrokerWhenBootstrapServersSetTest {

    static final String EXTERNAL_BROKER = "127.0.0.1:9";

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("kafka.bootstrap.servers", EXTERNAL_BROKER)
            // Fails the build if the extension started its broker anyway.
            .addBuildChainCustomizer(chain -> chain.addBuildStep(new BuildStep() {
                @Override
                public void execute(BuildContext context) {
                    EmbeddedKafkaBuildItem broker = context.consume(EmbeddedKafkaBuildItem.class);
                    if (broker != null) {
                        throw new AssertionError("The embedded broker was started although kafka.bootstrap.servers is set: "
                                + broker.bootstrapServers());
                    }
                    context.produce(new FeatureBuildItem("no-embedded-broker-check"));
                }
            }).consumes(EmbeddedKafkaBuildItem.class).produces(FeatureBuildItem.class).build());

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void leavesTheConfiguredBootstrapServersAlone() {
        assertThat(bootstrapServers).isEqualTo(EXTERNAL_BROKER);
    }
}
