package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class RawTypeFailsTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(BuildErrorTest.RawType.class,
            "BuildErrorTest$RawType.count", "raw ValueState", "ValueState<Long>");

    @Test
    void buildFailsWithAMessageNamingTheFieldAndTheFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
