package io.keyedstate.runtime;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InjectableBean;
import io.quarkus.arc.InjectableContext;

/**
 * Stops timers before the Kafka connector closes its consumers (at priority 50): the final
 * checkpoints their closing triggers must not race timers still firing, whose beans are about to
 * go. Stops the rest of keyed state after, so that those checkpoints still find the backend and
 * the coordinator running.
 */
@ApplicationScoped
public class KeyedStateShutdown {

    void stopTimers(@Observes @Priority(10) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        started().flatMap(KeyedStates::timers).ifPresent(io.keyedstate.timer.TimerService::close);
    }

    void stop(@Observes @Priority(500) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        started().ifPresent(KeyedStates::stop);
    }

    /**
     * The keyed state, if it was created: after a start that failed there is nothing to stop, and
     * asking the container for the bean would try to create it again.
     */
    private static Optional<KeyedStates> started() {
        ArcContainer container = Arc.container();
        InjectableContext singletons = container == null ? null : container.getActiveContext(Singleton.class);
        if (singletons == null) {
            return Optional.empty();
        }
        for (InjectableBean<?> bean : container.beanManager().getBeans(KeyedStates.class).stream()
                .map(InjectableBean.class::cast).toList()) {
            Object instance = singletons.get(bean); // the existing instance, or null: never creates one
            if (instance instanceof KeyedStates states) {
                return Optional.of(states);
            }
        }
        return Optional.empty();
    }
}
