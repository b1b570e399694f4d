package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class InvalidTtlFailsTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(BuildErrorTest.BadTtl.class,
            "BuildErrorTest$BadTtl.count", "ttl \"forever\" is not a positive duration", "P1D");

    @Test
    void buildFailsWithAMessageNamingTheFieldAndTheFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
