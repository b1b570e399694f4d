package io.keyedstate;

/** The timer an {@link OnTimer} method is called for. */
public final class FiredTimer {

    private final Object key;
    private final long time;
    private final TimeDomain domain;

    public FiredTimer(Object key, long time, TimeDomain domain) {
        this.key = key;
        this.time = time;
        this.domain = domain;
    }

    /** The record key the timer was registered for, as the channel's deserializer produced it. */
    @SuppressWarnings("unchecked")
    public <K> K key() {
        return (K) key;
    }

    /** The time it was registered for, in epoch milliseconds. */
    public long time() {
        return time;
    }

    public TimeDomain domain() {
        return domain;
    }

    @Override
    public String toString() {
        return domain + " timer at " + time + " of key " + key;
    }
}
