package io.keyedstate.backend.heap;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.keyedstate.TimeDomain;
import io.keyedstate.state.DueTimer;
import io.keyedstate.state.TimerQueue;

/**
 * A heap shard's timers. What is checkpointed is each key's {@link KeyTimers} in the shard's table
 * of the {@code Timers} field, so timers ride along with state in full and delta snapshots. Beside
 * it, not checkpointed and rebuilt on restore, a time-ordered index per domain finds due timers
 * without scanning. Both change under the shard's lock.
 */
final class HeapTimerQueue extends TimerQueue {

    /** A timer in the index: which {@code Timers} field, which key. */
    private record Ref(int state, Object key) {
    }

    private final HeapShard shard;
    /** Per domain, time to a {@link Ref} or, for several timers at one time, a list of them. Guarded by {@code shard}. */
    private final Map<TimeDomain, TreeMap<Long, Object>> index = new EnumMap<>(TimeDomain.class);
    private volatile long earliestEvent = Long.MAX_VALUE;
    private volatile long earliestProcessing = Long.MAX_VALUE;
    private long size;

    HeapTimerQueue(HeapShard shard) {
        this.shard = shard;
        for (TimeDomain domain : TimeDomain.values()) {
            index.put(domain, new TreeMap<>());
        }
    }

    /** Indexes the timers of restored tables. */
    void rebuild(int[] timerStates) {
        synchronized (shard) {
            for (int state : timerStates) {
                for (Map.Entry<Object, Object> entry : shard.table(state)) {
                    KeyTimers timers = (KeyTimers) entry.getValue();
                    for (TimeDomain domain : TimeDomain.values()) {
                        for (long time : timers.times(domain)) {
                            indexAdd(domain, time, new Ref(state, entry.getKey()));
                        }
                    }
                }
            }
            refreshEarliest();
        }
    }

    void register(int state, Object key, TimeDomain domain, long time) {
        synchronized (shard) {
            KeyTimers current = (KeyTimers) shard.get(state, key);
            KeyTimers next = current == null ? KeyTimers.of(domain, time) : current.with(domain, time);
            if (next != current) {
                shard.put(state, key, next);
                indexAdd(domain, time, new Ref(state, key));
                if (time < earliest(domain)) {
                    setEarliest(domain, time);
                }
            }
        }
    }

    void delete(int state, Object key, TimeDomain domain, long time) {
        synchronized (shard) {
            KeyTimers current = (KeyTimers) shard.get(state, key);
            if (current == null) {
                return;
            }
            KeyTimers next = current.without(domain, time);
            if (next != current) {
                shard.put(state, key, next);
                indexRemove(domain, time, new Ref(state, key));
                if (time == earliest(domain)) {
                    refreshEarliest();
                }
            }
        }
    }

    @Override
    public void putBack(DueTimer timer) {
        register(timer.state(), timer.key(), timer.domain(), timer.time());
    }

    @Override
    public long earliest(TimeDomain domain) {
        return domain == TimeDomain.EVENT_TIME ? earliestEvent : earliestProcessing;
    }

    @Override
    public List<DueTimer> pollDue(TimeDomain domain, long upTo, int max) {
        List<DueTimer> due = new ArrayList<>();
        synchronized (shard) {
            TreeMap<Long, Object> times = index.get(domain);
            while (due.size() < max && !times.isEmpty() && times.firstKey() <= upTo) {
                Map.Entry<Long, Object> first = times.firstEntry();
                long time = first.getKey();
                Ref ref = first.getValue() instanceof Ref one ? one : takeOne(first.getValue());
                indexRemove(domain, time, ref);
                KeyTimers current = (KeyTimers) shard.get(ref.state(), ref.key());
                shard.put(ref.state(), ref.key(), current.without(domain, time));
                due.add(new DueTimer(ref.state(), ref.key(), domain, time));
            }
            refreshEarliest();
        }
        return due;
    }

    @SuppressWarnings("unchecked")
    private static Ref takeOne(Object several) {
        return ((List<Ref>) several).get(0);
    }

    @Override
    public long size() {
        synchronized (shard) {
            return size;
        }
    }

    @SuppressWarnings("unchecked")
    private void indexAdd(TimeDomain domain, long time, Ref ref) {
        size++;
        index.get(domain).merge(time, ref, (present, added) -> {
            if (present instanceof Ref one) {
                List<Ref> several = new ArrayList<>(2);
                several.add(one);
                several.add((Ref) added);
                return several;
            }
            ((List<Ref>) present).add((Ref) added);
            return present;
        });
    }

    @SuppressWarnings("unchecked")
    private void indexRemove(TimeDomain domain, long time, Ref ref) {
        TreeMap<Long, Object> times = index.get(domain);
        Object present = times.get(time);
        if (present instanceof List<?> list) {
            ((List<Ref>) list).remove(ref);
            if (list.size() == 1) {
                times.put(time, list.get(0));
            }
        } else if (ref.equals(present)) {
            times.remove(time);
        } else {
            return;
        }
        size--;
    }

    private void refreshEarliest() {
        for (TimeDomain domain : TimeDomain.values()) {
            TreeMap<Long, Object> times = index.get(domain);
            setEarliest(domain, times.isEmpty() ? Long.MAX_VALUE : times.firstKey());
        }
    }

    private void setEarliest(TimeDomain domain, long time) {
        if (domain == TimeDomain.EVENT_TIME) {
            earliestEvent = time;
        } else {
            earliestProcessing = time;
        }
    }
}
