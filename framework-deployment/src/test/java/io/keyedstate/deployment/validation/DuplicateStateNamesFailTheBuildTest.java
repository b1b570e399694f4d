package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

class DuplicateStateNamesFailTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(BuildErrorTest.DuplicateNames.class,
            "BuildErrorTest$DuplicateNames.second", "\"count\" is already used by field 'first'", "@KeyedState(name");

    @Test
    void buildFailsWithAMessageNamingTheFieldAndTheFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
