package io.keyedstate.state;

import java.util.List;

import io.keyedstate.TimeDomain;

/**
 * The timers of one shard in time order, per time domain, as its backend stores them, and the
 * shard's event-time watermark. Registering and deleting happen through the backend's
 * {@code Timers} handle, from handlers; taking due timers happens only while no handler of the
 * shard runs.
 */
public abstract class TimerQueue {

    private volatile long watermark = Long.MIN_VALUE;

    /** The time of the earliest timer of {@code domain}, or {@code Long.MAX_VALUE} if there is none; may be early, never late. */
    public abstract long earliest(TimeDomain domain);

    /** Removes and returns, in time order, at most {@code max} timers of {@code domain} due at {@code upTo}. */
    public abstract List<DueTimer> pollDue(TimeDomain domain, long upTo, int max);

    /** Puts back a timer taken by {@link #pollDue} whose firing did not complete, so that it fires again. */
    public abstract void putBack(DueTimer timer);

    /** How many timers the shard holds (RocksDB counts by scanning: for tests and diagnostics). */
    public abstract long size();

    public long watermark() {
        return watermark;
    }

    /** Moves the watermark forward; it never goes back. */
    public void advanceWatermark(long to) {
        if (to > watermark) {
            synchronized (this) {
                if (to > watermark) {
                    watermark = to;
                }
            }
        }
    }

    /** Whether a timer of either domain is due at wall-clock time {@code now}. */
    public boolean hasDue(long now) {
        return earliest(TimeDomain.PROCESSING_TIME) <= now || earliest(TimeDomain.EVENT_TIME) <= watermark;
    }
}
