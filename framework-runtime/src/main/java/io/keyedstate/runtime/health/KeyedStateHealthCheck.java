package io.keyedstate.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.keyedstate.checkpoint.CheckpointCoordinator;
import io.keyedstate.runtime.KeyedStates;

/**
 * Ready once every keyed channel has its partitions and their state restored; not ready while a
 * restore runs, or when more checkpoints failed in a row than
 * {@code quarkus.keyed-state.checkpoint.tolerable-failures} allows. Registered by the build when
 * the application has SmallRye Health.
 */
@Readiness
@ApplicationScoped
public class KeyedStateHealthCheck implements HealthCheck {

    private final KeyedStates states;

    KeyedStateHealthCheck(KeyedStates states) {
        this.states = states;
    }

    @Override
    public HealthCheckResponse call() {
        CheckpointCoordinator coordinator = states.coordinator();
        int failures = coordinator.failureStreak();
        boolean restoring = coordinator.restoring();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Keyed state")
                .withData("restoring", restoring)
                .withData("completed checkpoints", coordinator.completedCount())
                .withData("failed checkpoints in a row", failures)
                .withData("tolerable failures", coordinator.tolerableFailures());
        return response.status(!restoring && failures <= coordinator.tolerableFailures()).build();
    }
}
