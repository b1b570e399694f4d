package io.keyedstate.checkpoint;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;

/** An application's own codecs in two versions of their format, as an upgrade would change them. */
final class VersionedCodecs {

    static final String LONG_CODEC = "app.LongCodec";
    static final String INT_CODEC = "app.IntCodec";

    private VersionedCodecs() {
    }

    /** Version 1: a long as 8 bytes. */
    static class LongV1 implements StateCodec<Long> {
        @Override
        public void encode(Long value, DataOutput out) throws IOException {
            out.writeLong(value);
        }

        @Override
        public Long decode(DataInput in) throws IOException {
            return in.readLong();
        }
    }

    /** Version 2: a long in decimal; does not read version 1. */
    static class LongV2 implements StateCodec<Long> {
        @Override
        public void encode(Long value, DataOutput out) throws IOException {
            out.writeUTF(Long.toString(value));
        }

        @Override
        public Long decode(DataInput in) throws IOException {
            return Long.parseLong(in.readUTF());
        }

        @Override
        public int version() {
            return 2;
        }
    }

    /** Version 2 that also reads version 1. */
    static final class LongV2ReadingV1 extends LongV2 {
        @Override
        public boolean canDecode(int storedVersion) {
            return storedVersion == 1 || storedVersion == 2;
        }

        @Override
        public Long decode(DataInput in, int storedVersion) throws IOException {
            return storedVersion == 1 ? in.readLong() : decode(in);
        }
    }

    /** Version 1: an int as 4 bytes. */
    static final class IntV1 implements StateCodec<Integer> {
        @Override
        public void encode(Integer value, DataOutput out) throws IOException {
            out.writeInt(value);
        }

        @Override
        public Integer decode(DataInput in) throws IOException {
            return in.readInt();
        }
    }

    /** Version 2: an int in decimal, which sorts otherwise; reads version 1. */
    static final class IntV2ReadingV1 implements StateCodec<Integer> {
        @Override
        public void encode(Integer value, DataOutput out) throws IOException {
            out.writeUTF(Integer.toString(value));
        }

        @Override
        public Integer decode(DataInput in) throws IOException {
            return Integer.parseInt(in.readUTF());
        }

        @Override
        public int version() {
            return 2;
        }

        @Override
        public boolean canDecode(int storedVersion) {
            return storedVersion <= 2;
        }

        @Override
        public Integer decode(DataInput in, int storedVersion) throws IOException {
            return storedVersion == 1 ? in.readInt() : decode(in);
        }
    }

    /** Codecs with {@code longs} for {@code Long}s and {@code ints} (if not null) for {@code Integer}s. */
    static StateCodecs with(StateCodec<Long> longs, StateCodec<Integer> ints) {
        return ints == null
                ? new StateCodecs(new ObjectMapper(), Map.of("java.lang.Long", longs), Map.of("java.lang.Long", LONG_CODEC))
                : new StateCodecs(new ObjectMapper(), Map.of("java.lang.Long", longs, "java.lang.Integer", ints),
                        Map.of("java.lang.Long", LONG_CODEC, "java.lang.Integer", INT_CODEC));
    }
}
