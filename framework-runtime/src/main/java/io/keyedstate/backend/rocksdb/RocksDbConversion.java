package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StoredForm;

/**
 * Rewrites a restored state's entries from the form a checkpoint stored them in to the declared
 * one, before the shard is used: values (and map keys) of an older codec version are decoded with
 * that version and encoded with the current one; values stored without an expiry get one,
 * {@code ttl} from the restore on; values stored with one lose it, and those expired already are
 * deleted. The entries go to a temporary column family and back into a new one of the state's
 * name, so that a rewritten key never meets an entry not rewritten yet.
 */
final class RocksDbConversion {

    private static final int BATCH = 10_000;
    private static final byte[] TEMPORARY_SUFFIX = "\u0000converting".getBytes(StandardCharsets.UTF_8);

    private final RocksDB db;
    private final StateCodecs codecs;
    private final long now;

    RocksDbConversion(RocksDB db, StateCodecs codecs, long now) {
        this.db = db;
        this.codecs = codecs;
        this.now = now;
    }

    @FunctionalInterface
    private interface EntryConversion {
        /** The entry to write, key and value, or null to leave it out. */
        byte[][] convert(byte[] key, byte[] value) throws IOException;
    }

    /**
     * Converts the entries of {@code state}, stored as {@code stored}, in {@code column}.
     *
     * @return the state's column family from now on; {@code column} is dropped and closed
     */
    ColumnFamilyHandle convert(StateDescriptor state, StoredForm stored, ColumnFamilyHandle column,
            ColumnFamilyOptions options) throws RocksDBException, IOException {
        byte[] name = column.getName();
        byte[] temporaryName = Arrays.copyOf(name, name.length + TEMPORARY_SUFFIX.length);
        System.arraycopy(TEMPORARY_SUFFIX, 0, temporaryName, name.length, TEMPORARY_SUFFIX.length);
        StateCodec<Object> values = codecs.forType(state.valueType());
        StateCodec<Object> mapKeys = state.kind() == StateKind.MAP ? codecs.forType(state.mapKeyType()) : null;
        ColumnFamilyHandle temporary = db.createColumnFamily(new ColumnFamilyDescriptor(temporaryName, options));
        try (WriteOptions writes = new WriteOptions().setDisableWAL(true)) {
            copy(column, temporary, writes, (key, value) -> new byte[][] { convertKey(key, stored, mapKeys),
                    convertValue(value, state, stored, values) });
            db.dropColumnFamily(column);
            column.close();
            ColumnFamilyHandle converted = db.createColumnFamily(new ColumnFamilyDescriptor(name, options));
            copy(temporary, converted, writes, (key, value) -> new byte[][] { key, value });
            db.dropColumnFamily(temporary);
            return converted;
        } finally {
            temporary.close();
        }
    }

    private void copy(ColumnFamilyHandle from, ColumnFamilyHandle to, WriteOptions writes, EntryConversion conversion)
            throws RocksDBException, IOException {
        WriteBatch batch = new WriteBatch();
        try (RocksIterator it = db.newIterator(from)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[][] entry = conversion.convert(it.key(), it.value());
                if (entry[1] != null) {
                    batch.put(to, entry[0], entry[1]);
                }
                if (batch.count() >= BATCH) {
                    db.write(writes, batch);
                    batch.close();
                    batch = new WriteBatch();
                }
            }
            it.status();
            db.write(writes, batch);
        } finally {
            batch.close();
        }
    }

    /** A map entry's key with its map key in the current codec version; other keys as they are. */
    private static byte[] convertKey(byte[] key, StoredForm stored, StateCodec<Object> mapKeys) throws IOException {
        if (mapKeys == null || stored.mapKeyVersion() == mapKeys.version()) {
            return key;
        }
        int prefix = KeyLayout.prefixLength(key);
        Object mapKey = StoredBytes.decode(mapKeys, key, prefix, stored.mapKeyVersion());
        return KeyLayout.concat(Arrays.copyOf(key, prefix), StoredBytes.encode(mapKeys, mapKey));
    }

    /** The value in the declared form, or null if it expired as its state lost its ttl. */
    private byte[] convertValue(byte[] value, StateDescriptor state, StoredForm stored, StateCodec<Object> values)
            throws IOException {
        int offset = stored.hasTtl() ? Long.BYTES : 0;
        long expiresAt = stored.hasTtl() ? StoredBytes.expiresAt(value) : -1;
        if (!state.hasTtl() && stored.hasTtl() && expiresAt <= now) {
            return null;
        }
        long expiry = !state.hasTtl() ? -1 : stored.hasTtl() ? expiresAt : now + state.ttlMillis();
        if (stored.valueVersion() == values.version()) {
            return StoredBytes.withExpiry(expiry, value, offset);
        }
        return StoredBytes.encode(values, StoredBytes.decode(values, value, offset, stored.valueVersion()), expiry);
    }
}
