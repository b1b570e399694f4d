package io.keyedstate.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Keyed state's savepoint endpoint, decided at build time. */
@ConfigMapping(prefix = "quarkus.keyed-state.savepoint-endpoint")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KeyedStateSavepointEndpointConfig {

    /**
     * Whether `POST <management root>/keyed-state/savepoints/<name>` takes a savepoint. Anyone who
     * can reach it can make the application write full copies of its state to checkpoint storage,
     * so it is off unless set: without it the path answers 404. Like every management endpoint, it
     * is served on the management interface when `quarkus.management.enabled=true` (under `/q` on
     * the main HTTP port otherwise); protect it with HTTP security
     * (`quarkus.management.auth.permission.*` or `quarkus.http.auth.permission.*`). Savepoints can
     * also be taken in code with `KeyedStateCheckpoints.savepoint(name)`, whatever this says.
     */
    @WithDefault("false")
    boolean enabled();
}
