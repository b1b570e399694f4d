package io.keyedstate.runtime;

import java.time.Duration;

import io.quarkus.runtime.annotations.ConfigGroup;
import io.smallrye.config.WithDefault;

/** When timers fire: the {@code quarkus.keyed-state.timers.*} properties. */
@ConfigGroup
public interface TimersConfig {

    /**
     * How far behind the largest record timestamp seen on a partition its event-time watermark
     * stays: a record up to this much older than the newest one still arrives before the
     * event-time timers it concerns fire. `0s` fires as soon as a record's timestamp passes a
     * timer.
     */
    @WithDefault("0s")
    Duration outOfOrderness();

    /**
     * How often each partition is checked for processing-time timers that came due: the most a
     * processing-time timer fires late, and how soon timers restored from a checkpoint fire.
     */
    @WithDefault("100ms")
    Duration checkInterval();

    /**
     * The most timers fired in one go on a partition, while its records wait; more due timers
     * fire in the next go, after the records that waited.
     */
    @WithDefault("1000")
    int maxPerRound();
}
