package io.keyedstate.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Keyed state at build time. */
@ConfigMapping(prefix = "quarkus.keyed-state")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KeyedStateBuildTimeConfig {

    /**
     * Whether keyed handlers that can run batched do: the handler's method is still called once
     * per record, in order, but the channel is consumed a poll at a time, with one hand-off to a
     * worker thread per poll rather than per record. See the guide for which handlers qualify.
     * `false` keeps every handler on SmallRye's per-record path.
     */
    @WithDefault("true")
    boolean batchedHandlers();
}
