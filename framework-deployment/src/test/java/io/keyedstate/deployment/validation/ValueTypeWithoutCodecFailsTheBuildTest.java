package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class ValueTypeWithoutCodecFailsTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(
            new Class<?>[] { BuildErrorTest.NoCodec.class, BuildErrorTest.Shape.class },
            "BuildErrorTest$NoCodec.shapes", "no codec for", "StateCodec<BuildErrorTest$Shape>");

    @Test
    void buildFailsWithAMessageNamingTheFieldAndTheFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
