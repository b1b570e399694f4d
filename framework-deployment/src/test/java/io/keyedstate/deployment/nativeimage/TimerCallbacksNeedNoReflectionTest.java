package io.keyedstate.deployment.nativeimage;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.FiredTimer;
import io.keyedstate.KeyedState;
import io.keyedstate.OnTimer;
import io.keyedstate.Timers;
import io.keyedstate.deployment.OnTimerInvokerBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveMethodBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An {@code @OnTimer} method is called through an invoker class generated at build time, so a
 * native image needs no reflection for it: checked in the build chain, where no image can be built.
 */
class TimerCallbacksNeedNoReflectionTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildChainCheck.of("timer-invokers-checked", new Class<?>[] { Sessions.class },
            context -> {
                List<OnTimerInvokerBuildItem> invokers = context.consumeMulti(OnTimerInvokerBuildItem.class);
                if (invokers.size() != 1 || !invokers.get(0).method().method().equals("closed")) {
                    throw new AssertionError("Expected one invoker, of Sessions.closed: " + invokers);
                }
                String invoker = invokers.get(0).invokerClass();
                if (invoker == null || invoker.isBlank() || invoker.equals(Sessions.class.getName())) {
                    throw new AssertionError("Not a generated invoker class: " + invoker);
                }
                String bean = Sessions.class.getName();
                boolean reflective = context.consumeMulti(ReflectiveClassBuildItem.class).stream()
                        .anyMatch(item -> item.getClassNames().contains(bean))
                        || context.consumeMulti(ReflectiveMethodBuildItem.class).stream()
                                .anyMatch(item -> item.getDeclaringClass().equals(bean));
                if (reflective) {
                    throw new AssertionError(bean + " was registered for reflection");
                }
            }, OnTimerInvokerBuildItem.class, ReflectiveClassBuildItem.class,
            ReflectiveMethodBuildItem.class);

    @Test
    void onTimerMethodsAreCalledThroughGeneratedInvokers() {
        // The assertion is in the build step: the build fails if it does not hold.
    }

    @ApplicationScoped
    public static class Sessions {
        @KeyedState
        Timers timers;

        @Incoming("clicks")
        void on(String click) {
        }

        @OnTimer
        void closed(FiredTimer timer) {
        }
    }
}
