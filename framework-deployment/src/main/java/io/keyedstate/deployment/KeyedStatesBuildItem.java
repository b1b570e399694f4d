package io.keyedstate.deployment;

import java.util.List;
import java.util.Set;

import org.jboss.jandex.Type;

import io.keyedstate.state.StateDescriptor;
import io.quarkus.builder.item.SimpleBuildItem;

/** Every valid {@code @KeyedState} field of the application, and the channels that feed them. */
public final class KeyedStatesBuildItem extends SimpleBuildItem {

    private final List<StateDescriptor> states;
    private final Set<String> channels;
    private final Set<Type> storedTypes;

    KeyedStatesBuildItem(List<StateDescriptor> states, Set<String> channels, Set<Type> storedTypes) {
        this.states = List.copyOf(states);
        this.channels = Set.copyOf(channels);
        this.storedTypes = Set.copyOf(storedTypes);
    }

    public List<StateDescriptor> states() {
        return states;
    }

    /** The {@code @Incoming} channels of beans with keyed state. */
    public Set<String> channels() {
        return channels;
    }

    /** The value and map-key types the states store, for codec and native-image registration. */
    public Set<Type> storedTypes() {
        return storedTypes;
    }
}
