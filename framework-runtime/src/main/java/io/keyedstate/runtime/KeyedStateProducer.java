package io.keyedstate.runtime;

import java.lang.reflect.Member;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Singleton;

import io.keyedstate.KeyedState;
import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.Timers;
import io.keyedstate.ValueState;

/**
 * Gives each {@code @KeyedState} field its handle. The build adds {@code @Inject} to those fields;
 * the handle is the same object for the lifetime of the application and resolves the current
 * key on every call.
 */
@Singleton
public class KeyedStateProducer {

    private final KeyedStates states;

    KeyedStateProducer(KeyedStates states) {
        this.states = states;
    }

    @Produces
    @Dependent
    @KeyedState
    @SuppressWarnings("unchecked")
    <T> ValueState<T> valueState(InjectionPoint injectionPoint) {
        return (ValueState<T>) handle(injectionPoint);
    }

    @Produces
    @Dependent
    @KeyedState
    @SuppressWarnings("unchecked")
    <K, V> MapState<K, V> mapState(InjectionPoint injectionPoint) {
        return (MapState<K, V>) handle(injectionPoint);
    }

    @Produces
    @Dependent
    @KeyedState
    @SuppressWarnings("unchecked")
    <T> ListState<T> listState(InjectionPoint injectionPoint) {
        return (ListState<T>) handle(injectionPoint);
    }

    @Produces
    @Dependent
    @KeyedState
    Timers timers(InjectionPoint injectionPoint) {
        return (Timers) handle(injectionPoint);
    }

    private Object handle(InjectionPoint injectionPoint) {
        Member member = injectionPoint.getMember();
        return states.handle(member.getDeclaringClass().getName(), member.getName());
    }
}
