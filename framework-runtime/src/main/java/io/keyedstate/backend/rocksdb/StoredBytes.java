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

    /** Decodes the value that starts at {@code offset}, written by version {@code version} of {@code codec}. */
    static Object decode(StateCodec<Object> codec, byte[] bytes, int offset, int version) throws IOException {
        return codec.decode(new DataInputStream(new ByteArrayInputStream(bytes, offset, bytes.length - offset)), version);
    }

    static boolean isExpired(byte[] bytes, long now) {
        return expiresAt(bytes) <= now;
    }

    /** The expiry in front of a stored value of a state with a ttl. */
    static long expiresAt(byte[] bytes) {
        long expiresAt = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            expiresAt = (expiresAt << 8) | (bytes[i] & 0xFF);
        }
        return expiresAt;
    }

    /** {@code encoded} from {@code offset} on, preceded by {@code expiresAt} if it is not negative. */
    static byte[] withExpiry(long expiresAt, byte[] encoded, int offset) {
        int prefix = expiresAt >= 0 ? Long.BYTES : 0;
        byte[] bytes = new byte[prefix + encoded.length - offset];
        for (int i = 0; i < prefix; i++) {
            bytes[i] = (byte) (expiresAt >>> (56 - 8 * i));
        }
        System.arraycopy(encoded, offset, bytes, prefix, encoded.length - offset);
        return bytes;
    }
}
