package io.keyedstate.backend.heap;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.keyedstate.MapState;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** A persistent map per record key, so that a snapshot shares what did not change. */
final class HeapMapState<K, V> extends HeapStateHandle implements MapState<K, V> {

    HeapMapState(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor, clock);
    }

    @SuppressWarnings("unchecked")
    private PersistentHashMap<Object, Object> map() {
        Object stored = stored();
        return stored == null ? PersistentHashMap.empty() : (PersistentHashMap<Object, Object>) stored;
    }

    @SuppressWarnings("unchecked")
    private void change(Function<PersistentHashMap<Object, Object>, PersistentHashMap<Object, Object>> change) {
        ShardKey scope = scope();
        shard(scope).update(id, scope.key(), current -> {
            PersistentHashMap<Object, Object> map = current == null ? PersistentHashMap.empty()
                    : (PersistentHashMap<Object, Object>) current;
            PersistentHashMap<Object, Object> changed = change.apply(map);
            return changed.isEmpty() ? null : changed;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(K key) {
        return (V) StoredValues.unwrap(map().get(key), now());
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            remove(key);
            return;
        }
        Object stored = StoredValues.wrap(value, ttlMillis, now());
        change(map -> map.put(key, stored));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        long now = now();
        change(map -> {
            PersistentHashMap<Object, Object> result = map;
            for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
                result = entry.getValue() == null ? result.remove(entry.getKey())
                        : result.put(entry.getKey(), StoredValues.wrap(entry.getValue(), ttlMillis, now));
            }
            return result;
        });
    }

    @Override
    public void remove(K key) {
        change(map -> map.remove(key));
    }

    @Override
    public Iterable<K> keys() {
        return live(Map.Entry::getKey);
    }

    @Override
    public Iterable<V> values() {
        return live(Map.Entry::getValue);
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() {
        return live(entry -> entry);
    }

    @Override
    public boolean isEmpty() {
        return !entries().iterator().hasNext();
    }

    @Override
    public void clear() {
        ShardKey scope = scope();
        shard(scope).put(id, scope.key(), null);
    }

    /** The live entries, as of now, mapped; later writes do not show. */
    @SuppressWarnings("unchecked")
    private <R> List<R> live(Function<Map.Entry<K, V>, R> mapping) {
        long now = now();
        PersistentHashMap<Object, Object> map = map();
        List<R> result = new ArrayList<>(map.size());
        for (Map.Entry<Object, Object> entry : map) {
            Object value = StoredValues.unwrap(entry.getValue(), now);
            if (value != null) {
                result.add(mapping.apply(new SimpleImmutableEntry<>((K) entry.getKey(), (V) value)));
            }
        }
        return result;
    }
}
