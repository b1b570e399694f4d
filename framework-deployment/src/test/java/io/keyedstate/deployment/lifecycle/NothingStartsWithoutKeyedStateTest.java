package io.keyedstate.deployment.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.runtime.KeyBindingDecorator;
import io.keyedstate.runtime.KeyedStates;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An application that has the extension but no {@code @KeyedState} field (a library pulled it in,
 * say) gets no backend, no checkpoint threads and no decorated channels.
 */
class NothingStartsWithoutKeyedStateTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(PlainConsumer.class))
            .overrideRuntimeConfigKey("quarkus.keyed-state.backend", "rocksdb");

    @Test
    void noKeyedStateRuntimeIsCreated() {
        assertThat(Arc.container().instance(KeyedStates.class).isAvailable()).isFalse();
        assertThat(Arc.container().instance(KeyBindingDecorator.class).isAvailable()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("keyed-state"));
    }

    @ApplicationScoped
    public static class PlainConsumer {
        @Incoming("plain")
        void on(String value) {
        }
    }
}
