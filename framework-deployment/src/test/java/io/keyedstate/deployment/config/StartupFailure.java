package io.keyedstate.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.test.QuarkusUnitTest;

/** An application with one keyed channel whose startup must fail on one runtime property. */
final class StartupFailure {

    private StartupFailure() {
    }

    /** Starts the application with {@code key=value}; startup must fail with messages that contain {@code expected}. */
    static QuarkusUnitTest of(String key, String value, String... expected) {
        return of(Map.of(key, value), expected);
    }

    /** Starts the application with {@code config}; startup must fail with messages that contain {@code expected}. */
    static QuarkusUnitTest of(Map<String, String> config, String... expected) {
        QuarkusUnitTest app = new QuarkusUnitTest().withApplicationRoot(root -> root.addClasses(Counter.class));
        config.forEach(app::overrideRuntimeConfigKey);
        return expecting(app, expected);
    }

    /** {@code app}, whose startup must fail with messages that contain {@code expected}. */
    static QuarkusUnitTest expecting(QuarkusUnitTest app, String... expected) {
        return app.assertException(thrown -> {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains(expected);
        });
    }

    @ApplicationScoped
    public static class Counter {
        @KeyedState
        ValueState<Long> count;

        @Incoming("words")
        void on(String word) {
        }
    }
}
