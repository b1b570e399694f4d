package io.keyedstate.deployment.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** With quarkus.keyed-state.null-key=skip, null-key records are acknowledged unhandled, even under failure-strategy=fail. */
class NullKeySkippedTest {

    static final String TOPIC = "null-keys-skipped";

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(NullKeyRecords.class, NullKeyRecords.Counter.class))
            .overrideConfigKey("mp.messaging.incoming.keys.topic", TOPIC)
            .overrideConfigKey("mp.messaging.incoming.keys.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.keys.failure-strategy", "fail")
            .overrideRuntimeConfigKey("quarkus.keyed-state.null-key", "skip");

    @Inject
    NullKeyRecords.Counter counter;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void nullKeyRecordsAreSkippedAndTheOthersHandled() {
        NullKeyRecords.send(bootstrapServers, TOPIC);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter.seen().size() >= 2);
        assertThat(counter.seen()).containsExactly("b1", "d2");
    }
}
