package io.keyedstate;

/**
 * Timers of the current key, declared as a {@code @KeyedState Timers timers;} field of a bean with
 * keyed state. When a timer comes due, the bean's {@link OnTimer} method runs with that key bound,
 * so it reads and writes the key's state as a handler would. There is at most one timer per key,
 * time domain and time: registering it again changes nothing.
 * <p>
 * Timers are stored and checkpointed with the state: they move with their partition and fire after
 * a restore if they came due meanwhile.
 */
public interface Timers {

    /**
     * Fires once the watermark of the current record's partition reaches {@code timestamp} (epoch
     * milliseconds): the largest record timestamp seen on it minus
     * {@code quarkus.keyed-state.timers.out-of-orderness}.
     */
    void registerEventTimeTimer(long timestamp);

    /** Fires once the wall clock reaches {@code timestamp} (epoch milliseconds). */
    void registerProcessingTimeTimer(long timestamp);

    /** Deletes the current key's event-time timer at {@code timestamp}, if there is one. */
    void deleteEventTimeTimer(long timestamp);

    /** Deletes the current key's processing-time timer at {@code timestamp}, if there is one. */
    void deleteProcessingTimeTimer(long timestamp);

    /** The event-time watermark of the current record's partition; {@code Long.MIN_VALUE} before its first record. */
    long currentWatermark();

    /** The wall clock, in epoch milliseconds, as processing-time timers see it. */
    long currentProcessingTime();
}
