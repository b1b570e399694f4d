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
 * restore runs, while a partition's state could not be restored (it is then not processed), while
 * a partition with new records has had no checkpoint complete for
 * {@code quarkus.keyed-state.checkpoint.unhealthy-after-intervals} intervals, or when more
 * checkpoints failed in a row than
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
        java.util.Map<String, String> unrecoverable = coordinator.unrecoverableShards();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Keyed state")
                .withData("restoring", restoring)
                .withData("completed checkpoints", coordinator.completedCount())
                .withData("failed checkpoints in a row", failures)
                .withData("tolerable failures", coordinator.tolerableFailures());
        unrecoverable.forEach((partition, reason) -> response.withData("unrecoverable " + partition, reason));
        java.util.Map<String, Long> stale = coordinator.staleShards();
        stale.forEach((partition, seconds) -> response.withData("no checkpoint for " + partition,
                "last completed " + seconds + " s ago"));
        return response.status(!restoring && unrecoverable.isEmpty() && stale.isEmpty()
                && failures <= coordinator.tolerableFailures()).build();
    }
}
