package io.keyedstate.deployment;

import java.util.List;
import java.util.Set;

import io.keyedstate.state.StateDescriptor;
import io.quarkus.builder.item.SimpleBuildItem;

/** Every valid {@code @KeyedState} field of the application, and the channels that feed them. */
public final class KeyedStatesBuildItem extends SimpleBuildItem {

    private final List<StateDescriptor> states;
    private final Set<String> channels;
    private final Set<String> jacksonClasses;

    KeyedStatesBuildItem(List<StateDescriptor> states, Set<String> channels, Set<String> jacksonClasses) {
        this.states = List.copyOf(states);
        this.channels = Set.copyOf(channels);
        this.jacksonClasses = Set.copyOf(jacksonClasses);
    }

    public List<StateDescriptor> states() {
        return states;
    }

    /** The {@code @Incoming} channels of beans with keyed state. */
    public Set<String> channels() {
        return channels;
    }

    /** The application classes that states store through Jackson, for native-image registration. */
    public Set<String> jacksonClasses() {
        return jacksonClasses;
    }
}
