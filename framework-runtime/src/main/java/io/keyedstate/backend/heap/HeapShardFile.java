package io.keyedstate.backend.heap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.function.LongSupplier;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StoredForm;

/**
 * The files a heap shard is checkpointed to: a chain of one full file followed by deltas, each
 * delta holding the entries set and the keys removed since the file before it. States are matched
 * by bean class and name, not by their ids, so adding or removing a state between versions of an
 * application keeps the others. Record keys carry their class (once per file), because one state
 * may hold keys of several channels. Every encoded value is length-prefixed, so a codec need not
 * delimit its own output.
 * <p>
 * Over 300 lines because the file format's writer and reader must mirror each other, and do so
 * best side by side.
 */
final class HeapShardFile {

    private static final int MAGIC = 0x4B534803;
    private static final String BYTES_KEY = "[B";
    private static final String PREFIX = "heap-";
    private static final String SUFFIX = ".bin";
    private static final byte FULL = 1;
    private static final byte DELTA = 2;
    private static final byte PUT = 1;
    private static final byte REMOVE = 2;
    private static final byte END = 0;
    private static final byte UNCOMPRESSED = 0;
    private static final byte DEFLATE = 1;

    private final List<StateDescriptor> states;
    private final StateCodecs codecs;
    private final boolean compress;

    /** @param compress whether files are written compressed (deflate, fastest level); either kind is read */
    HeapShardFile(List<StateDescriptor> states, StateCodecs codecs, boolean compress) {
        this.states = states;
        this.codecs = codecs;
        this.compress = compress;
    }

    /** The name of the file with sequence number {@code seq} in a shard's chain. */
    static String name(long seq) {
        return PREFIX + seq + SUFFIX;
    }

    /** The sequence number of a chain file's name, or -1 for another file. */
    static long seq(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Writes every entry of {@code snapshot}. */
    void writeFull(HeapSnapshot snapshot, Path file) throws IOException {
        write(file, FULL, (state, writer) -> {
            for (Entry<Object, Object> entry : snapshot.tables()[state.id()]) {
                writer.put(state, entry.getKey(), entry.getValue());
            }
        });
    }

    /**
     * Writes what changed from {@code base} to {@code snapshot}.
     *
     * @return how many entries it holds (set or removed)
     */
    long writeDelta(HeapSnapshot base, HeapSnapshot snapshot, Path file) throws IOException {
        return write(file, DELTA, (state, writer) -> snapshot.tables()[state.id()].diff(base.tables()[state.id()],
                new PersistentHashMap.Changes<>() {
                    @Override
                    public void changed(Object key, Object value) {
                        writer.put(state, key, value);
                    }

                    @Override
                    public void removed(Object key) {
                        writer.remove(key);
                    }
                }));
    }

    private interface StateWriter {
        void write(StateDescriptor state, Writer writer) throws IOException;
    }

    private long write(Path file, byte kind, StateWriter entries) throws IOException {
        Deflater deflater = compress ? new Deflater(Deflater.BEST_SPEED) : null;
        try (DataOutputStream header = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            header.writeInt(MAGIC);
            header.writeByte(kind);
            header.writeByte(compress ? DEFLATE : UNCOMPRESSED);
            DataOutputStream out = compress
                    ? new DataOutputStream(new DeflaterOutputStream(header, deflater, 1 << 16))
                    : header;
            Writer writer = new Writer(out);
            out.writeInt(states.size());
            for (StateDescriptor state : states) {
                out.writeUTF(state.qualifiedName());
                try {
                    entries.write(state, writer);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                out.writeByte(END);
            }
            out.close(); // finishes the compressed stream
            return writer.count;
        } finally {
            if (deflater != null) {
                deflater.end(); // native memory, which the stream does not free for a deflater it did not create
            }
        }
    }

    /**
     * The tables a chain of files holds, indexed by the current descriptors' ids; states the chain
     * lacks are empty. States stored in another form ({@code plan}) are converted to the declared
     * one as they are read, and those it drops are skipped.
     *
     * @param chain the full file, then its deltas in order
     * @param now the time from which values stored without a ttl expire, for states that gained one
     */
    PersistentHashMap<Object, Object>[] read(List<Path> chain, RestorePlan plan, long now) throws IOException {
        @SuppressWarnings("unchecked")
        PersistentHashMap<Object, Object>[] tables = new PersistentHashMap[states.size()];
        java.util.Arrays.fill(tables, PersistentHashMap.empty());
        Map<String, StateDescriptor> byName = new HashMap<>();
        states.forEach(state -> byName.put(state.qualifiedName(), state));
        for (int i = 0; i < chain.size(); i++) {
            Path file = chain.get(i);
            Inflater inflater = null;
            long size = Files.size(file);
            try (CountingStream counted = new CountingStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                    DataInputStream header = new DataInputStream(counted)) {
                if (header.readInt() != MAGIC) {
                    throw new IOException(file + " is not a heap-state checkpoint file");
                }
                byte kind = header.readByte();
                if (kind != (i == 0 ? FULL : DELTA)) {
                    throw new IOException(file + " is a " + (kind == FULL ? "full" : "delta") + " file at position " + i
                            + " of its chain");
                }
                byte compression = header.readByte();
                if (compression == DEFLATE) {
                    inflater = new Inflater();
                } else if (compression != UNCOMPRESSED) {
                    throw new IOException(file + " is compressed in an unknown way (" + compression + ")");
                }
                DataInputStream in = inflater == null ? header
                        : new DataInputStream(new InflaterInputStream(header, inflater, 1 << 16));
                // Uncompressed, no length can exceed what is left of the file; compressed, reads allocate what there is.
                Reader reader = new Reader(in, file, inflater == null ? () -> size - counted.count : () -> Long.MAX_VALUE, now);
                int stateCount = in.readInt();
                for (int s = 0; s < stateCount; s++) {
                    String name = in.readUTF();
                    Section section = section(name, byName.get(name), plan);
                    int id = section.state() == null ? -1 : section.state().id();
                    PersistentHashMap<Object, Object> table = id < 0 ? null : tables[id];
                    for (byte tag; (tag = in.readByte()) != END;) {
                        Object key = reader.recordKey();
                        Object stored = switch (tag) {
                            case PUT -> reader.stored(section);
                            case REMOVE -> null;
                            default -> throw new IOException("Corrupt heap-state file " + file + ": entry tag " + tag);
                        };
                        if (table != null) {
                            // A value that expired as the state lost its ttl reads as removed.
                            table = stored == null ? table.remove(key) : table.put(key, stored);
                        }
                    }
                    if (id >= 0) {
                        tables[id] = table;
                    }
                }
            } finally {
                if (inflater != null) {
                    inflater.end();
                }
            }
        }
        return tables;
    }

    /** How the section of state {@code name} is read: as {@code plan} says it was stored, or as declared. */
    private Section section(String name, StateDescriptor state, RestorePlan plan) throws IOException {
        if (state == null) {
            StoredForm dropped = plan.dropped().get(name);
            if (dropped == null || dropped.kind() == null) {
                throw new IOException("The checkpoint holds state " + name + ", which the application no longer"
                        + " has. Restoring without it would drop it; start from a savepoint taken without it instead");
            }
            return new Section(null, dropped.kind(), dropped.hasTtl(), null, 0, null, 0);
        }
        StoredForm stored = plan.storedForm(state);
        StateCodec<Object> values = codecs.forType(state.valueType());
        StateCodec<Object> mapKeys = state.kind() == StateKind.MAP ? codecs.forType(state.mapKeyType()) : null;
        if (stored == null) {
            return new Section(state, state.kind(), state.hasTtl(), values, values.version(), mapKeys,
                    mapKeys == null ? 0 : mapKeys.version());
        }
        return new Section(state, state.kind(), stored.hasTtl(), values, stored.valueVersion(), mapKeys,
                stored.mapKeyVersion());
    }

    /**
     * How one state's entries are read.
     *
     * @param state where they go; null for a state that is dropped, whose entries are skipped
     * @param storedTtl whether each stored value starts with its expiry
     */
    private record Section(StateDescriptor state, StateKind kind, boolean storedTtl, StateCodec<Object> values,
            int valueVersion, StateCodec<Object> mapKeys, int mapKeyVersion) {
    }

    /** Writes entries; its I/O errors are unchecked, so it can be called from a diff's callbacks. */
    private final class Writer {
        private final DataOutputStream out;
        long count;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        private final DataOutputStream bufferOut = new DataOutputStream(buffer);
        private final Map<Class<?>, Integer> keyClasses = new HashMap<>();

        Writer(DataOutputStream out) {
            this.out = out;
        }

        void put(StateDescriptor state, Object key, Object stored) {
            try {
                out.writeByte(PUT);
                recordKey(key);
                stored(state, stored);
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void remove(Object key) {
            try {
                out.writeByte(REMOVE);
                recordKey(key);
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void recordKey(Object key) throws IOException {
            Class<?> type = key.getClass();
            Integer index = keyClasses.get(type);
            if (index == null) {
                index = keyClasses.size();
                keyClasses.put(type, index);
                out.writeInt(index);
                out.writeUTF(RecordKeys.isBytes(key) ? BYTES_KEY : type.getName());
            } else {
                out.writeInt(index);
            }
            Object plain = RecordKeys.denormalize(key);
            value(codecs.forKey(plain), plain);
        }

        private void stored(StateDescriptor state, Object stored) throws IOException {
            switch (state.kind()) {
                case VALUE -> element(state, codecs.forType(state.valueType()), stored);
                case MAP -> {
                    @SuppressWarnings("unchecked")
                    PersistentHashMap<Object, Object> map = (PersistentHashMap<Object, Object>) stored;
                    StateCodec<Object> keyCodec = codecs.forType(state.mapKeyType());
                    StateCodec<Object> valueCodec = codecs.forType(state.valueType());
                    out.writeInt(map.size());
                    for (Entry<Object, Object> entry : map) {
                        value(keyCodec, entry.getKey());
                        element(state, valueCodec, entry.getValue());
                    }
                }
                case LIST -> {
                    List<Object> list = ((StoredValues.Appended) stored).toList();
                    StateCodec<Object> codec = codecs.forType(state.valueType());
                    out.writeInt(list.size());
                    for (Object element : list) {
                        element(state, codec, element);
                    }
                }
                case TIMERS -> {
                    KeyTimers timers = (KeyTimers) stored;
                    times(timers.eventTime());
                    times(timers.processingTime());
                }
            }
        }

        private void times(long[] times) throws IOException {
            out.writeInt(times.length);
            for (long time : times) {
                out.writeLong(time);
            }
        }

        private void element(StateDescriptor state, StateCodec<Object> codec, Object stored) throws IOException {
            if (state.hasTtl()) {
                StoredValues.Expiring expiring = (StoredValues.Expiring) stored;
                out.writeLong(expiring.expiresAt());
                value(codec, expiring.value());
            } else {
                value(codec, stored);
            }
        }

        private void value(StateCodec<Object> codec, Object value) throws IOException {
            buffer.reset();
            codec.encode(value, bufferOut);
            out.writeInt(buffer.size());
            buffer.writeTo(out);
        }
    }

    /** Reads entries, converting stored values to their state's declared form. */
    private final class Reader {
        private final DataInputStream in;
        private final Path file;
        private final LongSupplier remaining;
        private final long now;
        private final List<StateCodec<Object>> keyCodecs = new ArrayList<>();

        /** @param remaining an upper bound of the bytes left to read */
        Reader(DataInputStream in, Path file, LongSupplier remaining, long now) {
            this.in = in;
            this.file = file;
            this.remaining = remaining;
            this.now = now;
        }

        Object recordKey() throws IOException {
            int index = in.readInt();
            if (index == keyCodecs.size()) {
                String type = in.readUTF();
                keyCodecs.add(codecs.forType(type));
            } else if (index > keyCodecs.size() || index < 0) {
                throw new IOException("Corrupt heap-state file " + file + ": key class " + index + " before its declaration");
            }
            return RecordKeys.normalize(value(keyCodecs.get(index), keyCodecs.get(index).version()));
        }

        /** The entry of a key in the declared form; null if none is left of it (or the section is skipped). */
        Object stored(Section section) throws IOException {
            return switch (section.kind()) {
                case VALUE -> element(section);
                case MAP -> {
                    int size = count();
                    PersistentHashMap<Object, Object> map = PersistentHashMap.empty();
                    for (int i = 0; i < size; i++) {
                        Object key = value(section.mapKeys(), section.mapKeyVersion());
                        Object element = element(section);
                        if (element != null) {
                            map = map.put(key, element);
                        }
                    }
                    yield map.isEmpty() ? null : map;
                }
                case LIST -> {
                    int size = count();
                    StoredValues.Appended list = null;
                    for (int i = 0; i < size; i++) {
                        Object element = element(section);
                        if (element != null) {
                            list = StoredValues.Appended.append(list, element);
                        }
                    }
                    yield list;
                }
                case TIMERS -> {
                    long[] eventTime = times();
                    long[] processingTime = times();
                    yield section.state() == null ? null : new KeyTimers(eventTime, processingTime);
                }
            };
        }

        private int count() throws IOException {
            int count = in.readInt();
            if (count < 0) {
                throw new IOException("Corrupt heap-state file " + file + ": " + count + " entries");
            }
            return count;
        }

        /** Grown as the times are read, so that a damaged count cannot allocate what the file does not hold. */
        private long[] times() throws IOException {
            int count = count();
            if ((long) count * Long.BYTES > remaining.getAsLong()) {
                throw new IOException("Corrupt heap-state file " + file + ": " + count + " timers, more than it holds");
            }
            long[] times = new long[Math.min(count, 1024)];
            for (int i = 0; i < count; i++) {
                if (i == times.length) {
                    times = java.util.Arrays.copyOf(times, (int) Math.min(count, 2L * times.length));
                }
                times[i] = in.readLong();
            }
            return times;
        }

        /**
         * A value, list element or map value in the declared form: with its expiry if the state has a
         * ttl (from now on for a value stored without one), or null if it expired and the state lost its ttl.
         */
        private Object element(Section section) throws IOException {
            long expiresAt = section.storedTtl() ? in.readLong() : Long.MIN_VALUE;
            Object value = value(section.values(), section.valueVersion());
            StateDescriptor state = section.state();
            if (state == null) {
                return null;
            }
            if (state.hasTtl()) {
                return new StoredValues.Expiring(value, section.storedTtl() ? expiresAt : now + state.ttlMillis());
            }
            return section.storedTtl() && expiresAt <= now ? null : value;
        }

        /** A length-prefixed encoded value, decoded by {@code codec} as of {@code version}; skipped if codec is null. */
        private Object value(StateCodec<Object> codec, int version) throws IOException {
            int length = in.readInt();
            if (length < 0 || length > remaining.getAsLong()) {
                throw new IOException("Corrupt heap-state file " + file + ": a value of " + length
                        + " bytes, more than the file holds");
            }
            byte[] bytes = in.readNBytes(length); // allocates what there is to read, not what the length says
            if (bytes.length < length) {
                throw new EOFException("Corrupt heap-state file " + file + ": it ends inside a value");
            }
            return codec == null ? null : codec.decode(new DataInputStream(new ByteArrayInputStream(bytes)), version);
        }
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                count += read;
            }
            return read;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
