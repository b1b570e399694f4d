package io.keyedstate.backend.heap;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.StateDescriptor;

/**
 * Estimates how many bytes a shard's state takes when encoded (what a full checkpoint of it would
 * write), from a sample of each table: cheap enough to log and export as a metric.
 */
public final class HeapSizeEstimator {

    static final int SAMPLE = 32;
    private static final int EXPIRY_BYTES = Long.BYTES;

    private final List<StateDescriptor> states;
    private final StateCodecs codecs;

    public HeapSizeEstimator(List<StateDescriptor> states, StateCodecs codecs) {
        this.states = states;
        this.codecs = codecs;
    }

    public long estimatedBytes(HeapSnapshot snapshot) {
        long total = 0;
        for (StateDescriptor state : states) {
            PersistentHashMap<Object, Object> table = snapshot.tables()[state.id()];
            if (table.isEmpty()) {
                continue;
            }
            long sampled = 0;
            int count = 0;
            Iterator<Map.Entry<Object, Object>> entries = table.iterator();
            while (count < SAMPLE && entries.hasNext()) {
                Map.Entry<Object, Object> entry = entries.next();
                Object key = RecordKeys.denormalize(entry.getKey());
                sampled += size(codecs.forKey(key), key) + storedSize(state, entry.getValue());
                count++;
            }
            total += sampled * table.size() / count;
        }
        return total;
    }

    @SuppressWarnings("unchecked")
    private long storedSize(StateDescriptor state, Object stored) {
        StateCodec<Object> values = codecs.forType(state.valueType());
        return switch (state.kind()) {
            case VALUE -> valueSize(values, state, stored);
            case MAP -> {
                StateCodec<Object> keys = codecs.forType(state.mapKeyType());
                long bytes = 0;
                for (Map.Entry<Object, Object> entry : (PersistentHashMap<Object, Object>) stored) {
                    bytes += size(keys, entry.getKey()) + valueSize(values, state, entry.getValue());
                }
                yield bytes;
            }
            case LIST -> {
                long bytes = 0;
                for (Object element : ((StoredValues.Appended) stored).toList()) {
                    bytes += valueSize(values, state, element);
                }
                yield bytes;
            }
            case TIMERS -> 2L * Integer.BYTES + (long) Long.BYTES * ((KeyTimers) stored).count();
        };
    }

    private long valueSize(StateCodec<Object> codec, StateDescriptor state, Object stored) {
        Object value = stored instanceof StoredValues.Expiring expiring ? expiring.value() : stored;
        return size(codec, value) + (state.hasTtl() ? EXPIRY_BYTES : 0);
    }

    private static long size(StateCodec<Object> codec, Object value) {
        CountingStream counter = new CountingStream();
        try {
            codec.encode(value, new DataOutputStream(counter));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode " + value.getClass().getName() + " to estimate its size", e);
        }
        return counter.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
