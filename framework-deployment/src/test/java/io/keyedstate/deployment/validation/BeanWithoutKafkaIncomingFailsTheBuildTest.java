package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class BeanWithoutKafkaIncomingFailsTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(BuildErrorTest.NoIncoming.class,
            "BuildErrorTest$NoIncoming", "no @Incoming method on a Kafka channel", "add an @Incoming method");

    @Test
    void buildFailsWithAMessageNamingTheFieldAndTheFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
