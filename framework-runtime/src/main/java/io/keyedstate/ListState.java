package io.keyedstate;

import java.util.List;

/**
 * A list per key. Appending does not read or copy the list.
 *
 * @param <T> the element type
 */
public interface ListState<T> {

    /** Appends an element ({@code null} is not allowed). */
    void add(T element);

    void addAll(List<? extends T> elements);

    /** The current key's elements in insertion order; empty if it has none. */
    Iterable<T> get();

    /** Replaces the current key's list; an empty list clears it. */
    void update(List<? extends T> elements);

    default void clear() {
        update(List.of());
    }
}
