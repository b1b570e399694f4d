package io.keyedstate.runtime.health;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.keyedstate.runtime.KeyedStates;

/**
 * Live while checkpoints run on schedule, whether they succeed or not; down once no interval of
 * checkpoints has begun for longer than a working schedule takes, because a stuck schedule is
 * what a restart mends. What a restart does not mend (storage down, a partition whose state
 * cannot be restored) turns readiness down instead ({@link KeyedStateHealthCheck}), so that the
 * platform does not restart the application in a loop. Registered by the build when the
 * application has SmallRye Health.
 */
@Liveness
@ApplicationScoped
public class KeyedStateLivenessCheck implements HealthCheck {

    private final KeyedStates states;

    KeyedStateLivenessCheck(KeyedStates states) {
        this.states = states;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Duration> stalled = states.coordinator().checkpointsStalled();
        return HealthCheckResponse.named("Keyed state checkpoints")
                .withData("schedule", stalled.map(since -> "stuck: no interval of checkpoints began for "
                        + since.toSeconds() + " s").orElse("on time"))
                .status(stalled.isEmpty())
                .build();
    }
}
