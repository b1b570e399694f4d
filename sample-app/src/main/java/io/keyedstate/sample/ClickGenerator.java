package io.keyedstate.sample;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Clicks for {@link ClickSessions} while the load generator is on: ten clicks a second from a
 * group of ten users that changes every 20 s, so that the previous group's sessions end 30 s later.
 */
@ApplicationScoped
public class ClickGenerator {

    private static final List<String> PAGES = List.of("/", "/search", "/product", "/cart", "/checkout");
    private static final long GROUP_MILLIS = 20_000;

    @ConfigProperty(name = "app.generator.enabled")
    boolean enabled;

    @Outgoing("generated-clicks")
    public Multi<Record<String, String>> generate() {
        if (!enabled) {
            return Multi.createFrom().empty();
        }
        return Multi.createFrom().ticks().every(Duration.ofMillis(100))
                .onOverflow().drop()
                .map(tick -> {
                    long group = System.currentTimeMillis() / GROUP_MILLIS;
                    String user = "user-" + (group * 10 + ThreadLocalRandom.current().nextInt(10));
                    return Record.of(user, PAGES.get(ThreadLocalRandom.current().nextInt(PAGES.size())));
                });
    }
}
