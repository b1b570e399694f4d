package io.keyedstate.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Keyed state's health check, decided at build time. */
@ConfigMapping(prefix = "quarkus.keyed-state.health")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KeyedStateHealthConfig {

    /**
     * Whether a readiness check is published when the application has SmallRye Health: not ready
     * while state is restored, or after more checkpoint failures in a row than
     * `quarkus.keyed-state.checkpoint.tolerable-failures`.
     */
    @WithDefault("true")
    boolean enabled();
}
