package io.keyedstate.deployment;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.keyedstate.state.StateDescriptor;
import io.quarkus.builder.item.SimpleBuildItem;

/** Every valid {@code @KeyedState} field of the application, and the channels that feed them. */
public final class KeyedStatesBuildItem extends SimpleBuildItem {

    private final List<StateDescriptor> states;
    private final Set<String> channels;
    private final Set<String> concurrentChannels;
    private final Set<String> handlerOutgoings;
    private final Set<String> jacksonClasses;
    private final Map<String, String> userCodecs;
    private final List<OnTimerMethod> onTimerMethods;

    KeyedStatesBuildItem(List<StateDescriptor> states, Set<String> channels, Set<String> concurrentChannels,
            Set<String> handlerOutgoings, Set<String> jacksonClasses, Map<String, String> userCodecs, List<OnTimerMethod> onTimerMethods) {
        this.onTimerMethods = List.copyOf(onTimerMethods);
        this.states = List.copyOf(states);
        this.channels = Set.copyOf(channels);
        this.concurrentChannels = Set.copyOf(concurrentChannels);
        this.handlerOutgoings = Set.copyOf(handlerOutgoings);
        this.jacksonClasses = Set.copyOf(jacksonClasses);
        this.userCodecs = Map.copyOf(userCodecs);
    }

    /** Whether the application has no {@code @KeyedState} field: then the extension starts nothing at runtime. */
    public boolean isEmpty() {
        return states.isEmpty();
    }

    public List<StateDescriptor> states() {
        return states;
    }

    /** The {@code @Incoming} channels of beans with keyed state. */
    public Set<String> channels() {
        return channels;
    }

    /** The keyed channels whose handler processes several records at once. */
    public Set<String> concurrentChannels() {
        return concurrentChannels;
    }

    /** The {@code @Outgoing} channels of the keyed channels' handlers, which their timers' results also go to. */
    public Set<String> handlerOutgoings() {
        return handlerOutgoings;
    }

    /** The application classes that states store through Jackson, for native-image registration. */
    public Set<String> jacksonClasses() {
        return jacksonClasses;
    }

    /** The {@code @OnTimer} method of each bean with a {@code Timers} field. */
    public List<OnTimerMethod> onTimerMethods() {
        return onTimerMethods;
    }

    /** The application's {@code StateCodec} classes, by the class name of the type each encodes. */
    public Map<String, String> userCodecs() {
        return userCodecs;
    }
}
