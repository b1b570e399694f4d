package io.keyedstate.backend.heap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.StateDescriptor;

/**
 * The files a heap shard is checkpointed to: a chain of one full file followed by deltas, each
 * delta holding the entries set and the keys removed since the file before it. States are matched
 * by bean class and name, not by their ids, so adding or removing a state between versions of an
 * application keeps the others. Record keys carry their class (once per file), because one state
 * may hold keys of several channels. Every encoded value is length-prefixed, so a codec need not
 * delimit its own output.
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
                out.writeUTF(qualifiedName(state));
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
     * lacks are empty.
     *
     * @param chain the full file, then its deltas in order
     */
    PersistentHashMap<Object, Object>[] read(List<Path> chain) throws IOException {
        @SuppressWarnings("unchecked")
        PersistentHashMap<Object, Object>[] tables = new PersistentHashMap[states.size()];
        java.util.Arrays.fill(tables, PersistentHashMap.empty());
        Map<String, StateDescriptor> byName = new HashMap<>();
        states.forEach(state -> byName.put(qualifiedName(state), state));
        for (int i = 0; i < chain.size(); i++) {
            Path file = chain.get(i);
            Inflater inflater = null;
            try (DataInputStream header = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
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
                Reader reader = new Reader(in);
                int stateCount = in.readInt();
                for (int s = 0; s < stateCount; s++) {
                    String name = in.readUTF();
                    StateDescriptor state = byName.get(name);
                    if (state == null) {
                        throw new IOException("The checkpoint holds state " + name + ", which the application no longer"
                                + " has. Restoring without it would drop it; start from a savepoint taken without it instead");
                    }
                    PersistentHashMap<Object, Object> table = tables[state.id()];
                    for (byte tag; (tag = in.readByte()) != END;) {
                        Object key = reader.recordKey();
                        table = switch (tag) {
                            case PUT -> table.put(key, reader.stored(state));
                            case REMOVE -> table.remove(key);
                            default -> throw new IOException("Corrupt heap-state file " + file + ": entry tag " + tag);
                        };
                    }
                    tables[state.id()] = table;
                }
            } finally {
                if (inflater != null) {
                    inflater.end();
                }
            }
        }
        return tables;
    }

    private static String qualifiedName(StateDescriptor state) {
        return state.beanClass() + "." + state.name();
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

    private final class Reader {
        private final DataInputStream in;
        private final List<StateCodec<Object>> keyCodecs = new ArrayList<>();

        Reader(DataInputStream in) {
            this.in = in;
        }

        Object recordKey() throws IOException {
            int index = in.readInt();
            if (index == keyCodecs.size()) {
                String type = in.readUTF();
                keyCodecs.add(codecs.forType(type));
            } else if (index > keyCodecs.size()) {
                throw new IOException("Corrupt heap-state file: key class " + index + " before its declaration");
            }
            return RecordKeys.normalize(value(keyCodecs.get(index)));
        }

        Object stored(StateDescriptor state) throws IOException {
            return switch (state.kind()) {
                case VALUE -> element(state, codecs.forType(state.valueType()));
                case MAP -> {
                    StateCodec<Object> keyCodec = codecs.forType(state.mapKeyType());
                    StateCodec<Object> valueCodec = codecs.forType(state.valueType());
                    int size = in.readInt();
                    PersistentHashMap<Object, Object> map = PersistentHashMap.empty();
                    for (int i = 0; i < size; i++) {
                        Object key = value(keyCodec);
                        map = map.put(key, element(state, valueCodec));
                    }
                    yield map;
                }
                case LIST -> {
                    StateCodec<Object> codec = codecs.forType(state.valueType());
                    int size = in.readInt();
                    StoredValues.Appended list = null;
                    for (int i = 0; i < size; i++) {
                        list = StoredValues.Appended.append(list, element(state, codec));
                    }
                    yield list;
                }
                case TIMERS -> new KeyTimers(times(), times());
            };
        }

        private long[] times() throws IOException {
            long[] times = new long[in.readInt()];
            for (int i = 0; i < times.length; i++) {
                times[i] = in.readLong();
            }
            return times;
        }

        private Object element(StateDescriptor state, StateCodec<Object> codec) throws IOException {
            if (state.hasTtl()) {
                long expiresAt = in.readLong();
                return new StoredValues.Expiring(value(codec), expiresAt);
            }
            return value(codec);
        }

        private Object value(StateCodec<Object> codec) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return codec.decode(new DataInputStream(new ByteArrayInputStream(bytes)));
        }
    }
}
