package io.keyedstate;

import java.util.Map;

/**
 * A map per key. Iteration sees the map as it was when the iteration started.
 *
 * @param <K> the map's key type (not the record key)
 * @param <V> the map's value type
 */
public interface MapState<K, V> {

    /** The value under {@code key} in the current record key's map, or {@code null}. */
    V get(K key);

    /** Puts a value; a {@code null} value removes the entry. */
    void put(K key, V value);

    void putAll(Map<? extends K, ? extends V> entries);

    void remove(K key);

    default boolean contains(K key) {
        return get(key) != null;
    }

    Iterable<K> keys();

    Iterable<V> values();

    Iterable<Map.Entry<K, V>> entries();

    boolean isEmpty();

    /** Removes the whole map of the current record key. */
    void clear();
}
