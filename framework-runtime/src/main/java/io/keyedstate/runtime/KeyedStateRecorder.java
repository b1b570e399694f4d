package io.keyedstate.runtime;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.keyedstate.state.StateDescriptor;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;

@Recorder
public class KeyedStateRecorder {

    private final RuntimeValue<KeyedStateConfig> config;

    public KeyedStateRecorder(RuntimeValue<KeyedStateConfig> config) {
        this.config = config;
    }

    public Supplier<KeyedStates> keyedStates(List<StateDescriptor> states, Set<String> channels, ShutdownContext shutdown) {
        return () -> {
            KeyedStates keyedStates = new KeyedStates(states, channels, config.getValue());
            shutdown.addShutdownTask(keyedStates::stop);
            return keyedStates;
        };
    }
}
