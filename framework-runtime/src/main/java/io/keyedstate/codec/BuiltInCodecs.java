package io.keyedstate.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.keyedstate.StateCodec;

/**
 * Compact big-endian encodings of the common JDK value types: fixed width for numbers, a
 * length-prefixed UTF-8 for strings (not {@code writeUTF}, which stops at 64 KiB).
 */
public final class BuiltInCodecs {

    private static final Map<Class<?>, StateCodec<?>> CODECS = Map.ofEntries(
            Map.entry(String.class, codec((String v, DataOutput out) -> writeBytes(out, v.getBytes(StandardCharsets.UTF_8)),
                    in -> new String(readBytes(in), StandardCharsets.UTF_8))),
            Map.entry(Long.class, codec((Long v, DataOutput out) -> out.writeLong(v), DataInput::readLong)),
            Map.entry(Integer.class, codec((Integer v, DataOutput out) -> out.writeInt(v), DataInput::readInt)),
            Map.entry(Short.class, codec((Short v, DataOutput out) -> out.writeShort(v), DataInput::readShort)),
            Map.entry(Byte.class, codec((Byte v, DataOutput out) -> out.writeByte(v), DataInput::readByte)),
            Map.entry(Double.class, codec((Double v, DataOutput out) -> out.writeDouble(v), DataInput::readDouble)),
            Map.entry(Float.class, codec((Float v, DataOutput out) -> out.writeFloat(v), DataInput::readFloat)),
            Map.entry(Boolean.class, codec((Boolean v, DataOutput out) -> out.writeBoolean(v), DataInput::readBoolean)),
            Map.entry(Character.class, codec((Character v, DataOutput out) -> out.writeChar(v), DataInput::readChar)),
            Map.entry(byte[].class, codec((byte[] v, DataOutput out) -> writeBytes(out, v), BuiltInCodecs::readBytes)),
            Map.entry(UUID.class, codec((UUID v, DataOutput out) -> {
                out.writeLong(v.getMostSignificantBits());
                out.writeLong(v.getLeastSignificantBits());
            }, in -> new UUID(in.readLong(), in.readLong()))),
            Map.entry(Instant.class, codec((Instant v, DataOutput out) -> {
                out.writeLong(v.getEpochSecond());
                out.writeInt(v.getNano());
            }, in -> Instant.ofEpochSecond(in.readLong(), in.readInt()))),
            Map.entry(BigDecimal.class, codec((BigDecimal v, DataOutput out) -> {
                out.writeInt(v.scale());
                writeBytes(out, v.unscaledValue().toByteArray());
            }, in -> {
                int scale = in.readInt();
                return new BigDecimal(new BigInteger(readBytes(in)), scale);
            })));

    private static final int CHUNK = 1 << 16;

    private BuiltInCodecs() {
    }

    /** The built-in codec of {@code type}, or null. */
    @SuppressWarnings("unchecked")
    public static <T> StateCodec<T> forType(Class<T> type) {
        return (StateCodec<T>) CODECS.get(type);
    }

    private static final Map<String, StateCodec<?>> BY_NAME = CODECS.entrySet().stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(entry -> entry.getKey().getName(), Map.Entry::getValue));

    /** The built-in codec of the class named {@code className} ({@code byte[]} is {@code [B}), or null. */
    public static StateCodec<?> forName(String className) {
        return BY_NAME.get(className);
    }

    /** Whether the class named {@code className} has a built-in codec. */
    public static boolean covers(String className) {
        return BY_NAME.containsKey(className);
    }

    private interface Encoder<T> {
        void encode(T value, DataOutput out) throws IOException;
    }

    private interface Decoder<T> {
        T decode(DataInput in) throws IOException;
    }

    private static <T> StateCodec<T> codec(Encoder<T> encoder, Decoder<T> decoder) {
        return new StateCodec<>() {
            @Override
            public void encode(T value, DataOutput out) throws IOException {
                encoder.encode(value, out);
            }

            @Override
            public T decode(DataInput in) throws IOException {
                return decoder.decode(in);
            }
        };
    }

    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /**
     * Reads what {@link #writeBytes} wrote. A length read from damaged (or differently encoded)
     * bytes allocates no more than the input holds: beyond 64 KiB the array grows as it fills.
     */
    static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("A negative length (" + length + "): the bytes are not of this codec");
        }
        byte[] bytes = new byte[Math.min(length, CHUNK)];
        in.readFully(bytes);
        for (int read = bytes.length; read < length; read = bytes.length) {
            bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(length, 2L * read));
            in.readFully(bytes, read, bytes.length - read);
        }
        return bytes;
    }
}
