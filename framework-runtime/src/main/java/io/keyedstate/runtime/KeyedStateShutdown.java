package io.keyedstate.runtime;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;

/**
 * Stops timers before the Kafka connector closes its consumers (at priority 50): the final
 * checkpoints their closing triggers must not race timers still firing, whose beans are about to
 * go. Stops the rest of keyed state after, so that those checkpoints still find the backend and
 * the coordinator running.
 */
@ApplicationScoped
public class KeyedStateShutdown {

    private final KeyedStates states;

    KeyedStateShutdown(KeyedStates states) {
        this.states = states;
    }

    void stopTimers(@Observes @Priority(10) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        states.timers().ifPresent(io.keyedstate.timer.TimerService::close);
    }

    void stop(@Observes @Priority(500) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        states.stop();
    }
}
