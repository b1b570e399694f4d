package io.keyedstate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns a state value (or map key) into bytes and back. The same bytes go to RocksDB and to
 * checkpoints, so a codec's format must stay readable: change it only together with
 * {@link #version()}. Checkpoints record the version each state was written with; a restore
 * reads values of another version with {@link #decode(DataInput, int)} if {@link #canDecode(int)}
 * says it can, and refuses the checkpoint otherwise.
 * <p>
 * Built-in codecs cover {@code String}, the boxed primitives, {@code byte[]}, {@code UUID},
 * {@code Instant} and {@code BigDecimal}; records and POJOs go through Jackson. For any other type,
 * declare a bean that implements {@code StateCodec<YourType>}.
 *
 * @param <T> the type it encodes
 */
public interface StateCodec<T> {

    /** Writes {@code value} in the format of {@link #version()}. */
    void encode(T value, DataOutput out) throws IOException;

    /** Reads a value written in the format of {@link #version()}. */
    T decode(DataInput in) throws IOException;

    /** The format's version, recorded with checkpoints. */
    default int version() {
        return 1;
    }

    /**
     * Whether {@link #decode(DataInput, int)} reads values written by version {@code storedVersion}
     * of this codec's format. Only the current version by default: override it, together with
     * {@code decode(DataInput, int)}, when you bump {@link #version()} and keep reading the old format.
     */
    default boolean canDecode(int storedVersion) {
        return storedVersion == version();
    }

    /**
     * Reads a value written by version {@code storedVersion} of this codec's format, one that
     * {@link #canDecode(int)} accepts. A restore calls it for state checkpointed with an older
     * version; the value is stored in the current format from then on. By default it reads the
     * current version only.
     */
    default T decode(DataInput in, int storedVersion) throws IOException {
        if (storedVersion != version()) {
            throw new IOException(getClass().getName() + " is at version " + version() + " and cannot read version "
                    + storedVersion + "; override canDecode(int) and decode(DataInput, int) to read it");
        }
        return decode(in);
    }
}
