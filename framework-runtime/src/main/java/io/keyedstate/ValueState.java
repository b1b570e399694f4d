package io.keyedstate;

/**
 * One value per key.
 *
 * @param <T> the value type
 */
public interface ValueState<T> {

    /** The current key's value, or {@code null} if it has none (or it expired). */
    T get();

    /** The current key's value, or {@code defaultValue} if it has none. */
    default T getOrDefault(T defaultValue) {
        T value = get();
        return value != null ? value : defaultValue;
    }

    /** Sets the current key's value; {@code null} clears it. */
    void set(T value);

    /** Removes the current key's value. */
    default void clear() {
        set(null);
    }
}
