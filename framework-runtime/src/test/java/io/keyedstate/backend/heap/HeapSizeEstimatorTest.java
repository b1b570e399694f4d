package io.keyedstate.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

class HeapSizeEstimatorTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.C", "count", "count", StateKind.VALUE, 0, "java.lang.Long", "");
    static final StateDescriptor HOURS = new StateDescriptor(1, "app.C", "hours", "hours", StateKind.MAP, 60_000,
            "java.lang.Integer", "java.lang.String");
    static final StateDescriptor TAGS = new StateDescriptor(2, "app.C", "tags", "tags", StateKind.LIST, 0,
            "java.util.List<java.lang.String>", "");

    @Test
    void estimatesTheEncodedSizeOfEveryState() {
        List<StateDescriptor> states = List.of(COUNT, HOURS, TAGS);
        HeapStateBackend backend = new HeapStateBackend(states, System::currentTimeMillis);
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        @SuppressWarnings("unchecked")
        MapState<String, Integer> hours = (MapState<String, Integer>) backend.handle(HOURS);
        @SuppressWarnings("unchecked")
        ListState<List<String>> tags = (ListState<List<String>>) backend.handle(TAGS);
        HeapShard shard = backend.shard(0);
        for (int i = 0; i < 100; i++) {
            CurrentShardKey.callWithin(new ShardKey(shard, String.format("key-%02d", i)), () -> {
                count.set(1L);
                hours.putAll(Map.of("09", 1, "10", 2));
                tags.add(List.of("a"));
                return null;
            });
        }
        HeapSizeEstimator estimator = new HeapSizeEstimator(states, new StateCodecs(new ObjectMapper(), Map.of()));

        long key = 4 + 6; // length-prefixed "key-NN"
        long value = key + 8; // a Long
        long map = key + 2 * ((4 + 2) + (4 + 8)); // two entries: length-prefixed "09", an Integer, its expiry
        long list = key + (4 + "[\"a\"]".length()); // one element, as length-prefixed JSON
        assertThat(estimator.estimatedBytes(shard.snapshot())).isEqualTo(100 * (value + map + list));
    }
}
