package io.keyedstate.deployment.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.spi.DeploymentException;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedState;
import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/** Shared by the build-error tests: a build that must fail with a message naming class, field and fix. */
final class BuildErrorTest {

    private BuildErrorTest() {
    }

    static QuarkusUnitTest failsWith(Class<?> bean, String... fragments) {
        return failsWith(new Class<?>[] { bean }, fragments);
    }

    static QuarkusUnitTest failsWith(Class<?>[] classes, String... fragments) {
        return new QuarkusUnitTest()
                .withApplicationRoot(root -> root.addClasses(classes))
                .assertException(expectMessage(fragments));
    }

    private static Consumer<Throwable> expectMessage(String... fragments) {
        return thrown -> {
            Throwable deployment = thrown;
            while (deployment != null && !(deployment instanceof DeploymentException)) {
                deployment = deployment.getCause();
            }
            assertThat(deployment).as("a DeploymentException in %s", thrown).isNotNull();
            assertThat(deployment.getMessage()).contains(fragments);
        };
    }

    @ApplicationScoped
    public static class RawType {
        @SuppressWarnings("rawtypes")
        @KeyedState
        ValueState count;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class UnsupportedType {
        @KeyedState
        java.util.concurrent.atomic.AtomicLong count;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class DuplicateNames {
        @KeyedState(name = "count")
        ValueState<Long> first;

        @KeyedState(name = "count")
        ListState<Long> second;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class NoIncoming {
        @KeyedState
        ValueState<Long> count;

        public void notAHandler(String word) {
        }
    }

    @RequestScoped
    public static class WrongScope {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }
    }

    /** An interface: neither built in, nor Jackson-constructible, nor given a StateCodec. */
    public interface Shape {
        double area();
    }

    @ApplicationScoped
    public static class NoCodec {
        @KeyedState
        MapState<String, Shape> shapes;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class BadTtl {
        @KeyedState(ttl = "forever")
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class TimersWithoutOnTimer {
        @KeyedState
        io.keyedstate.Timers timers;

        @Incoming("words")
        void on(String word) {
        }
    }

    @ApplicationScoped
    public static class OnTimerWithoutTimers {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }

        @io.keyedstate.OnTimer
        void fired() {
        }
    }

    @ApplicationScoped
    public static class OnTimerResultWithoutOutgoing {
        @KeyedState
        io.keyedstate.Timers timers;

        @Incoming("words")
        void on(String word) {
        }

        @io.keyedstate.OnTimer
        String fired(io.keyedstate.FiredTimer timer) {
            return "done";
        }
    }

    @ApplicationScoped
    public static class OnTimerWithBadParameters {
        @KeyedState
        io.keyedstate.Timers timers;

        @Incoming("words")
        void on(String word) {
        }

        @io.keyedstate.OnTimer
        void fired(long time) {
        }
    }
}
