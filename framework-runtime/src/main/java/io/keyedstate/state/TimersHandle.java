package io.keyedstate.state;

import java.util.function.LongSupplier;

import io.keyedstate.TimeDomain;
import io.keyedstate.Timers;

/** What the backends' {@code Timers} handles share: the current scope, the clocks, argument checks. */
public abstract class TimersHandle extends StateHandle implements Timers {

    private final LongSupplier clock;

    protected TimersHandle(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor);
        this.clock = clock;
    }

    /** Adds the timer of the scope's key; a timer already there stays as it is. */
    protected abstract void register(ShardKey scope, TimeDomain domain, long time);

    protected abstract void delete(ShardKey scope, TimeDomain domain, long time);

    @Override
    public void registerEventTimeTimer(long timestamp) {
        register(scope(), TimeDomain.EVENT_TIME, timestamp);
    }

    @Override
    public void registerProcessingTimeTimer(long timestamp) {
        register(scope(), TimeDomain.PROCESSING_TIME, timestamp);
    }

    @Override
    public void deleteEventTimeTimer(long timestamp) {
        delete(scope(), TimeDomain.EVENT_TIME, timestamp);
    }

    @Override
    public void deleteProcessingTimeTimer(long timestamp) {
        delete(scope(), TimeDomain.PROCESSING_TIME, timestamp);
    }

    @Override
    public long currentWatermark() {
        return scope().shard().timers().watermark();
    }

    @Override
    public long currentProcessingTime() {
        return clock.getAsLong();
    }
}
