package io.keyedstate.state;

import io.keyedstate.TimeDomain;

/**
 * A timer taken from its shard's queue to be fired.
 *
 * @param state the id of the {@code Timers} field it was registered through
 * @param key the record key, normalized (see {@code RecordKeys})
 */
public record DueTimer(int state, Object key, TimeDomain domain, long time) {
}
