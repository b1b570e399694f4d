package io.keyedstate.backend.heap;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;

/**
 * Keyed state on the JVM heap: one {@link HeapShard} per input partition, created when the
 * partition is assigned (or its first record arrives) and dropped when it is revoked.
 */
public final class HeapStateBackend implements StateBackend {

    private final List<StateDescriptor> states;
    private final LongSupplier clock;
    private final Map<Integer, HeapShard> shards = new ConcurrentHashMap<>();
    private final HeapSizeEstimator sizeEstimator;

    /** A backend whose size estimates encode with built-in codecs and a plain Jackson mapper. */
    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock) {
        this(states, clock, new StateCodecs(new ObjectMapper(), Map.of()));
    }

    public HeapStateBackend(List<StateDescriptor> states, LongSupplier clock, StateCodecs codecs) {
        this.states = List.copyOf(states);
        this.clock = clock;
        this.sizeEstimator = new HeapSizeEstimator(this.states, codecs);
        for (int i = 0; i < this.states.size(); i++) {
            if (this.states.get(i).id() != i) {
                throw new IllegalArgumentException("State ids must be dense and ordered: " + this.states);
            }
        }
    }

    @Override
    public HeapShard shard(int partition) {
        return shards.computeIfAbsent(partition, p -> new HeapShard(p, states.size(), sizeEstimator));
    }

    @Override
    public void drop(int partition) {
        shards.remove(partition);
    }

    @Override
    public Collection<HeapShard> shards() {
        return shards.values();
    }

    @Override
    public Object handle(StateDescriptor descriptor) {
        return switch (descriptor.kind()) {
            case VALUE -> new HeapValueState<>(descriptor, clock);
            case MAP -> new HeapMapState<>(descriptor, clock);
            case LIST -> new HeapListState<>(descriptor, clock);
        };
    }

    /** An entry is only removed if it is still the expired one that the sweep saw. */
    @Override
    public long removeExpired() {
        long now = clock.getAsLong();
        long changed = 0;
        for (HeapShard shard : shards.values()) {
            for (StateDescriptor state : states) {
                if (state.hasTtl()) {
                    changed += removeExpired(shard, state, now);
                }
            }
        }
        return changed;
    }

    @SuppressWarnings("unchecked")
    private static long removeExpired(HeapShard shard, StateDescriptor state, long now) {
        long changed = 0;
        for (Map.Entry<Object, Object> entry : shard.table(state.id())) {
            Object stored = entry.getValue();
            Object live = switch (state.kind()) {
                case VALUE -> StoredValues.isExpired(stored, now) ? null : stored;
                case MAP -> StoredValues.withoutExpired((PersistentHashMap<Object, Object>) stored, now);
                case LIST -> StoredValues.withoutExpired((StoredValues.Appended) stored, now);
            };
            if (live != stored) {
                shard.replaceIfSame(state.id(), entry.getKey(), stored, live);
                changed++;
            }
        }
        return changed;
    }

    @Override
    public void close() {
        shards.clear();
    }
}
