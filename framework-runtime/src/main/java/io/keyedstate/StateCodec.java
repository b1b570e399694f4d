package io.keyedstate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns a state value (or map key) into bytes and back. The same bytes go to RocksDB and to
 * checkpoints, so a codec's format must stay readable: change it only together with
 * {@link #version()}, and keep decoding older versions.
 * <p>
 * Built-in codecs cover {@code String}, the boxed primitives, {@code byte[]}, {@code UUID},
 * {@code Instant} and {@code BigDecimal}; records and POJOs go through Jackson. For any other type,
 * declare a bean that implements {@code StateCodec<YourType>}.
 *
 * @param <T> the type it encodes
 */
public interface StateCodec<T> {

    void encode(T value, DataOutput out) throws IOException;

    T decode(DataInput in) throws IOException;

    /** The format's version, recorded with checkpoints. */
    default int version() {
        return 1;
    }
}
