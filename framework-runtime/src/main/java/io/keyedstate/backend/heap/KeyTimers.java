package io.keyedstate.backend.heap;

import java.util.Arrays;

import io.keyedstate.TimeDomain;

/**
 * One key's timers as its heap table stores them: sorted, distinct times per domain. Immutable,
 * so a snapshot holding one never sees it change; a key has few timers, so copying is cheap.
 */
record KeyTimers(long[] eventTime, long[] processingTime) {

    private static final long[] NONE = new long[0];

    static KeyTimers of(TimeDomain domain, long time) {
        long[] one = { time };
        return domain == TimeDomain.EVENT_TIME ? new KeyTimers(one, NONE) : new KeyTimers(NONE, one);
    }

    long[] times(TimeDomain domain) {
        return domain == TimeDomain.EVENT_TIME ? eventTime : processingTime;
    }

    /** These timers plus {@code time}; {@code this} if it is there already. */
    KeyTimers with(TimeDomain domain, long time) {
        long[] times = times(domain);
        int at = Arrays.binarySearch(times, time);
        if (at >= 0) {
            return this;
        }
        int insert = -at - 1;
        long[] grown = new long[times.length + 1];
        System.arraycopy(times, 0, grown, 0, insert);
        grown[insert] = time;
        System.arraycopy(times, insert, grown, insert + 1, times.length - insert);
        return replace(domain, grown);
    }

    /** These timers without {@code time}: {@code this} if it is not there, null if none would be left. */
    KeyTimers without(TimeDomain domain, long time) {
        long[] times = times(domain);
        int at = Arrays.binarySearch(times, time);
        if (at < 0) {
            return this;
        }
        if (times.length == 1 && (domain == TimeDomain.EVENT_TIME ? processingTime : eventTime).length == 0) {
            return null;
        }
        long[] shrunk = new long[times.length - 1];
        System.arraycopy(times, 0, shrunk, 0, at);
        System.arraycopy(times, at + 1, shrunk, at, times.length - at - 1);
        return replace(domain, shrunk);
    }

    int count() {
        return eventTime.length + processingTime.length;
    }

    private KeyTimers replace(TimeDomain domain, long[] times) {
        return domain == TimeDomain.EVENT_TIME ? new KeyTimers(times, processingTime) : new KeyTimers(eventTime, times);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyTimers that && Arrays.equals(eventTime, that.eventTime)
                && Arrays.equals(processingTime, that.processingTime);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(eventTime) + Arrays.hashCode(processingTime);
    }

    @Override
    public String toString() {
        return "KeyTimers[event=" + Arrays.toString(eventTime) + ", processing=" + Arrays.toString(processingTime) + "]";
    }
}
