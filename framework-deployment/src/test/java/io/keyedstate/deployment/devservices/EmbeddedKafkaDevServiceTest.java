package io.keyedstate.deployment.devservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class EmbeddedKafkaDevServiceTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Echo.class))
            .overrideConfigKey("mp.messaging.outgoing.to-broker.connector", "smallrye-kafka")
            .overrideConfigKey("mp.messaging.outgoing.to-broker.topic", "devservice-roundtrip")
            .overrideConfigKey("mp.messaging.incoming.from-broker.connector", "smallrye-kafka")
            .overrideConfigKey("mp.messaging.incoming.from-broker.topic", "devservice-roundtrip")
            .overrideConfigKey("mp.messaging.incoming.from-broker.auto.offset.reset", "earliest");

    @Inject
    Echo echo;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void producesAndConsumesThroughALoopbackBrokerThatAutoCreatesFourPartitions() throws Exception {
        assertThat(bootstrapServers).startsWith("127.0.0.1:");

        List<String> sent = List.of("alpha", "beta", "gamma");
        sent.forEach(echo::send);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(echo.received()).containsExactlyInAnyOrderElementsOf(sent));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int partitions = admin.describeTopics(List.of("devservice-roundtrip")).allTopicNames().get()
                    .get("devservice-roundtrip").partitions().size();
            assertThat(partitions).isEqualTo(4);
        }
    }

    @ApplicationScoped
    public static class Echo {

        @Inject
        @Channel("to-broker")
        Emitter<String> out;

        private final List<String> received = new CopyOnWriteArrayList<>();

        void send(String payload) {
            out.send(payload);
        }

        List<String> received() {
            return received;
        }

        @Incoming("from-broker")
        void receive(String payload) {
            received.add(payload);
        }
    }
}
