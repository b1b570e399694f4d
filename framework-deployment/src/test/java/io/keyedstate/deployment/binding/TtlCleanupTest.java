package io.keyedstate.deployment.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.keyedstate.runtime.KeyedStates;
import io.quarkus.test.QuarkusUnitTest;

/** Expired values leave memory on their own, every quarkus.keyed-state.ttl-cleanup-interval. */
class TtlCleanupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Sessions.class))
            .overrideConfigKey("kafka.bootstrap.servers", "127.0.0.1:9")
            .overrideRuntimeConfigKey("quarkus.keyed-state.ttl-cleanup-interval", "100ms");

    @Inject
    Sessions sessions;

    @Inject
    KeyedStates states;

    @Test
    void expiredValuesAreRemovedInTheBackground() {
        for (int i = 0; i < 100; i++) {
            states.callScoped(null, "clicks", 1, "user-" + i, () -> {
                sessions.open();
                return null;
            });
        }
        assertThat(states.backend().shard(states.shardIds().id("clicks", 1)).keyCount()).isEqualTo(100);
        await().atMost(Duration.ofSeconds(10)).until(() -> states.backend().shard(states.shardIds().id("clicks", 1)).keyCount() == 0);
    }

    @ApplicationScoped
    public static class Sessions {
        @KeyedState(ttl = "300ms")
        ValueState<String> session;

        @Incoming("clicks")
        void on(String click) {
        }

        void open() {
            session.set("open");
        }
    }
}
