package io.keyedstate.backend.rocksdb;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.keyedstate.StateCodec;

/**
 * Values as RocksDB stores them: with a time to live, an 8-byte big-endian expiry (epoch
 * milliseconds) before the encoded value, so that reads and the background sweep can tell an
 * expired value without decoding it.
 */
final class StoredBytes {

    private StoredBytes() {
    }

    static byte[] encode(StateCodec<Object> codec, Object value) {
        return encode(codec, value, -1);
    }

    /** Encodes {@code value}, preceded by {@code expiresAt} if it is not negative. */
    static byte[] encode(StateCodec<Object> codec, Object value, long expiresAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try {
            DataOutputStream out = new DataOutputStream(bytes);
            if (expiresAt >= 0) {
                out.writeLong(expiresAt);
            }
            codec.encode(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + value.getClass().getName(), e);
        }
        return bytes.toByteArray();
    }

    static Object decode(StateCodec<Object> codec, byte[] bytes, boolean hasExpiry) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (hasExpiry) {
                in.skipNBytes(Long.BYTES);
            }
            return codec.decode(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot decode a stored value", e);
        }
    }

    static boolean isExpired(byte[] bytes, long now) {
        long expiresAt = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            expiresAt = (expiresAt << 8) | (bytes[i] & 0xFF);
        }
        return expiresAt <= now;
    }
}
