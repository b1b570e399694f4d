package io.keyedstate.scope;

import java.util.Arrays;

/** Record keys as state-table keys: equal when their contents are equal. */
public final class RecordKeys {

    private RecordKeys() {
    }

    /** Wraps {@code byte[]} keys, whose arrays compare by identity, in a value-equal key. */
    public static Object normalize(Object key) {
        return key instanceof byte[] bytes ? new ByteArrayKey(bytes) : key;
    }

    /** Whether a normalized key stands for a {@code byte[]} record key. */
    public static boolean isBytes(Object key) {
        return key instanceof ByteArrayKey;
    }

    /** The key as the user's code sees it. */
    public static Object denormalize(Object key) {
        return key instanceof ByteArrayKey bytes ? bytes.bytes().clone() : key;
    }

    record ByteArrayKey(byte[] bytes) {

        @Override
        public boolean equals(Object other) {
            return other instanceof ByteArrayKey that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
