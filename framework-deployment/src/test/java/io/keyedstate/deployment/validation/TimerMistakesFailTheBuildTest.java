package io.keyedstate.deployment.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Every timer mistake in one build, each named with its fix. */
class TimerMistakesFailTheBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildErrorTest.failsWith(new Class<?>[] { BuildErrorTest.TimersWithoutOnTimer.class,
            BuildErrorTest.OnTimerWithoutTimers.class, BuildErrorTest.OnTimerResultWithoutOutgoing.class,
            BuildErrorTest.OnTimerWithBadParameters.class },
            "BuildErrorTest$TimersWithoutOnTimer has a `@KeyedState Timers` field and no @OnTimer method",
            "@OnTimer method io.keyedstate.deployment.validation.BuildErrorTest$OnTimerWithoutTimers.fired: its bean has no"
                    + " `@KeyedState Timers` field",
            "BuildErrorTest$OnTimerResultWithoutOutgoing.fired returns java.lang.String, but no @Incoming method",
            "give the handler an @Outgoing channel",
            "BuildErrorTest$OnTimerWithBadParameters.fired: its parameters are [long]", "io.keyedstate.FiredTimer, or none");

    @Test
    void buildFailsWithAMessageNamingEachMistakeAndItsFix() {
        // The assertion is in the extension: the build must fail with the expected message.
    }
}
