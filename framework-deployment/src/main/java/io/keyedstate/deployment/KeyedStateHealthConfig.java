package io.keyedstate.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Keyed state's health checks, decided at build time. */
@ConfigMapping(prefix = "quarkus.keyed-state.health")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KeyedStateHealthConfig {

    /**
     * Whether keyed state's health checks are published when the application has SmallRye Health:
     * readiness (not ready while state is restored, or after more checkpoint failures in a row than
     * `quarkus.keyed-state.checkpoint.tolerable-failures`) and liveness (down once the checkpoint
     * schedule is stuck).
     */
    @WithDefault("true")
    boolean enabled();
}
