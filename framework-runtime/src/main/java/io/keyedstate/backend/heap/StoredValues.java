package io.keyedstate.backend.heap;

import java.util.ArrayList;
import java.util.List;

/**
 * How the heap backend stores values: as the user's objects, wrapped in {@link Expiring} when the
 * state has a time to live. A map state's entry is a {@link PersistentHashMap} of the user's map,
 * a list state's entry an {@link Appended} chain, both immutable so that snapshots stay valid.
 */
final class StoredValues {

    private StoredValues() {
    }

    /** A value that reads as absent from {@code expiresAt} (epoch milliseconds) on. */
    record Expiring(Object value, long expiresAt) {
    }

    /** A list as a chain of appends, newest first: adding never copies the list. */
    record Appended(Object element, Appended previous, int size) {

        static Appended append(Appended list, Object element) {
            return new Appended(element, list, list == null ? 1 : list.size + 1);
        }

        /** The elements in insertion order. */
        List<Object> toList() {
            Object[] elements = new Object[size];
            int i = size;
            for (Appended node = this; node != null; node = node.previous) {
                elements[--i] = node.element;
            }
            return java.util.Arrays.asList(elements);
        }

        static Appended of(List<?> elements) {
            Appended list = null;
            for (Object element : elements) {
                list = append(list, element);
            }
            return list;
        }
    }

    static Object wrap(Object value, long ttlMillis, long now) {
        return ttlMillis > 0 ? new Expiring(value, now + ttlMillis) : value;
    }

    /** The user's value, or null if it expired. */
    static Object unwrap(Object stored, long now) {
        if (stored instanceof Expiring expiring) {
            return expiring.expiresAt > now ? expiring.value : null;
        }
        return stored;
    }

    static boolean isExpired(Object stored, long now) {
        return stored instanceof Expiring expiring && expiring.expiresAt <= now;
    }

    /** The list without its expired elements, or null if none is left; the same list if none expired. */
    static Appended withoutExpired(Appended list, long now) {
        if (list == null) {
            return null;
        }
        List<Object> live = new ArrayList<>(list.size);
        for (Object element : list.toList()) {
            if (!isExpired(element, now)) {
                live.add(element);
            }
        }
        return live.size() == list.size ? list : Appended.of(live);
    }

    /** The map without its expired entries, or null if none is left; the same map if none expired. */
    static PersistentHashMap<Object, Object> withoutExpired(PersistentHashMap<Object, Object> map, long now) {
        PersistentHashMap<Object, Object> live = map;
        for (var entry : map) {
            if (isExpired(entry.getValue(), now)) {
                live = live.remove(entry.getKey());
            }
        }
        return live.isEmpty() ? null : live;
    }
}
