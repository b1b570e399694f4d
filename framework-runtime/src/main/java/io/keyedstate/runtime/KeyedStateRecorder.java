package io.keyedstate.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.util.TypeLiteral;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import org.rocksdb.RocksDB;

/** What the build records for startup: the keyed state bean, the timer callbacks, the endpoints, loading RocksDB. Kept thin. */
@Recorder
public class KeyedStateRecorder {

    private final RuntimeValue<KeyedStateConfig> config;

    public KeyedStateRecorder(RuntimeValue<KeyedStateConfig> config) {
        this.config = config;
    }

    /**
     * @param userCodecs the application's {@code StateCodec} bean classes, by the class name of the type they encode
     */
    public Supplier<KeyedStates> keyedStates(List<StateDescriptor> states, Set<String> channels,
            Set<String> concurrentChannels, Map<String, String> userCodecs) {
        return () -> {
            Map<String, StateCodec<?>> codecBeans = new HashMap<>();
            // Matched by bean class name: no class loading by name, which a native image would need registered.
            // StateCodec<?>, not the raw type: a raw required type does not match the bean type StateCodec<Shape>.
            for (InstanceHandle<StateCodec<?>> codec : Arc.container().select(new TypeLiteral<StateCodec<?>>() {
            }, Any.Literal.INSTANCE).handles()) {
                String beanClass = codec.getBean().getBeanClass().getName();
                userCodecs.forEach((type, codecClass) -> {
                    if (codecClass.equals(beanClass)) {
                        codecBeans.put(type, codec.get());
                    }
                });
            }
            StateCodecs codecs = new StateCodecs(Arc.container().instance(ObjectMapper.class).get(), codecBeans, userCodecs);
            return new KeyedStates(states, channels, concurrentChannels, config.getValue(), codecs);
        };
    }

    /**
     * Registers an {@code @OnTimer} method with this start's {@link OnTimerMethods} bean.
     *
     * @param outgoing the channel that the values it returns go to; null if it returns nothing to send
     */
    public void onTimerMethod(int timersState, RuntimeValue<jakarta.enterprise.invoke.Invoker<Object, Object>> invoker,
            boolean takesTimer, String outgoing) {
        Arc.container().instance(OnTimerMethods.class).get().register(timersState, invoker.getValue(), takesTimer,
                outgoing);
    }

    public io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> checkpointsEndpoint() {
        return KeyedStateEndpoints.list();
    }

    public io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> savepointEndpoint(boolean enabled) {
        return enabled ? KeyedStateEndpoints.savepoint() : KeyedStateEndpoints.savepointDisabled();
    }

    /**
     * The optional libraries the configuration needs are there (see {@link OptionalLibraries}), and
     * RocksDB's native library loads: both fail the start at once, not when the first shard opens.
     */
    public void loadConfiguredLibraries() {
        if (config.getValue().checkpoint().storage() == CheckpointConfig.Storage.S3) {
            OptionalLibraries.requireMinio();
        }
        if (config.getValue().backend() == KeyedStateConfig.Backend.ROCKSDB) {
            OptionalLibraries.requireRocksDb();
            RocksDB.loadLibrary();
        }
    }
}
