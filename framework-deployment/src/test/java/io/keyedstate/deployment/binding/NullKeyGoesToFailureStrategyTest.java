package io.keyedstate.deployment.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** By default a null-key record is nacked: here the channel's failure strategy ignores it. */
class NullKeyGoesToFailureStrategyTest {

    static final String TOPIC = "null-keys-nacked";

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(NullKeyRecords.class, NullKeyRecords.Counter.class))
            .overrideConfigKey("mp.messaging.incoming.keys.topic", TOPIC)
            .overrideConfigKey("mp.messaging.incoming.keys.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.keys.failure-strategy", "ignore")
            .setLogRecordPredicate(record -> record.getLevel().intValue() >= Level.SEVERE.intValue()
                    && record.getMessage() != null && record.getMessage().contains("has a null key"))
            .assertLogRecords(records -> assertThat(records).hasSize(2)
                    .allSatisfy(record -> assertThat(record.getMessage()).contains(TOPIC + "-0@",
                            "channel's failure strategy applies", "quarkus.keyed-state.null-key=skip")));

    @Inject
    NullKeyRecords.Counter counter;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void nullKeyRecordsAreNackedAndTheOthersHandled() {
        NullKeyRecords.send(bootstrapServers, TOPIC);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter.seen().size() >= 2);
        assertThat(counter.seen()).containsExactly("b1", "d2");
    }
}
