package io.keyedstate.backend.rocksdb;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * How record keys become RocksDB keys. A value state's key is the encoded record key. A map or list
 * state's entries share a prefix, the record key's length as a varint followed by its bytes: the
 * varint makes prefixes of different keys never prefixes of each other, so one key's map or list
 * is exactly one prefix scan. Map entries append the map key; list elements append a big-endian
 * sequence number, so a scan returns them in insertion order and appending never reads the list.
 */
final class KeyLayout {

    private KeyLayout() {
    }

    static byte[] prefix(byte[] recordKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(recordKey.length + 5);
        int length = recordKey.length;
        while ((length & ~0x7F) != 0) {
            out.write((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.writeBytes(recordKey);
        return out.toByteArray();
    }

    /** The length of the prefix at the start of {@code key}: varint plus the record key it announces. */
    static int prefixLength(byte[] key) {
        int length = 0;
        int shift = 0;
        int i = 0;
        byte b;
        do {
            b = key[i++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return i + length;
    }

    static byte[] concat(byte[] prefix, byte[] suffix) {
        byte[] key = Arrays.copyOf(prefix, prefix.length + suffix.length);
        System.arraycopy(suffix, 0, key, prefix.length, suffix.length);
        return key;
    }

    static byte[] withSequence(byte[] prefix, long sequence) {
        byte[] key = Arrays.copyOf(prefix, prefix.length + Long.BYTES);
        for (int i = 0; i < Long.BYTES; i++) {
            key[prefix.length + i] = (byte) (sequence >>> (56 - 8 * i));
        }
        return key;
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The smallest key greater than every key starting with {@code prefix}, or null if none exists. */
    static byte[] successor(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }
}
