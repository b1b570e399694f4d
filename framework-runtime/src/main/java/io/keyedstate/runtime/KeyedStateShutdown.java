package io.keyedstate.runtime;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;

/**
 * Stops keyed state after the Kafka connector has closed its consumers (at priority 50), so that
 * the final checkpoints their closing triggers still find the backend and the coordinator running.
 */
@ApplicationScoped
public class KeyedStateShutdown {

    private final KeyedStates states;

    KeyedStateShutdown(KeyedStates states) {
        this.states = states;
    }

    void stop(@Observes @Priority(500) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        states.stop();
    }
}
