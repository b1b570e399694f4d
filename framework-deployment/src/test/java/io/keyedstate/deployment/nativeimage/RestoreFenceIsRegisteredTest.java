package io.keyedstate.deployment.nativeimage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.keyedstate.checkpoint.RestoreFence;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Kafka creates a keyed channel's restore fence by reflection, from the channel's
 * {@code interceptor.classes}: both are produced by the build, checked in its chain.
 */
class RestoreFenceIsRegisteredTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildChainCheck.of("restore-fence-checked", new Class<?>[] { Counter.class },
            context -> {
                String fence = RestoreFence.class.getName();
                boolean reflective = context.consumeMulti(ReflectiveClassBuildItem.class).stream()
                        .anyMatch(item -> item.getClassNames().contains(fence) && item.isConstructors()
                                && item.getReason() != null);
                if (!reflective) {
                    throw new AssertionError(fence + " is not registered for reflection, with its constructor and a reason");
                }
                boolean configured = context.consumeMulti(RunTimeConfigurationDefaultBuildItem.class).stream()
                        .anyMatch(item -> item.getKey().equals("mp.messaging.incoming.counted.interceptor.classes")
                                && item.getValue().equals(fence));
                if (!configured) {
                    throw new AssertionError("The keyed channel 'counted' does not get " + fence + " as its interceptor");
                }
            }, ReflectiveClassBuildItem.class, RunTimeConfigurationDefaultBuildItem.class);

    @Test
    void theFenceOfEveryKeyedChannelIsConfiguredAndRegistered() {
        // The assertion is in the build step: the build fails if it does not hold.
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("counted")
        void on(String word) {
        }
    }
}
