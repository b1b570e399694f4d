package io.keyedstate.backend.heap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.state.StateDescriptor;

/**
 * The file a heap shard is checkpointed to. States are matched by bean class and name, not by their
 * ids, so adding or removing a state between versions of an application keeps the others. Record
 * keys carry their class (once per file), because one state may hold keys of several channels.
 * Every encoded value is length-prefixed, so a codec need not delimit its own output.
 */
final class HeapShardFile {

    static final String NAME = "heap-state.bin";
    private static final int MAGIC = 0x4B534801;
    private static final String BYTES_KEY = "[B";

    private final List<StateDescriptor> states;
    private final StateCodecs codecs;

    HeapShardFile(List<StateDescriptor> states, StateCodecs codecs) {
        this.states = states;
        this.codecs = codecs;
    }

    void write(HeapSnapshot snapshot, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            Writer writer = new Writer(out);
            out.writeInt(MAGIC);
            out.writeInt(states.size());
            for (StateDescriptor state : states) {
                PersistentHashMap<Object, Object> table = snapshot.tables()[state.id()];
                out.writeUTF(qualifiedName(state));
                out.writeLong(table.size());
                for (Entry<Object, Object> entry : table) {
                    writer.recordKey(entry.getKey());
                    writer.stored(state, entry.getValue());
                }
            }
        }
    }

    /** The tables in the file, indexed by the current descriptors' ids; states the file lacks are empty. */
    PersistentHashMap<Object, Object>[] read(Path file) throws IOException {
        @SuppressWarnings("unchecked")
        PersistentHashMap<Object, Object>[] tables = new PersistentHashMap[states.size()];
        java.util.Arrays.fill(tables, PersistentHashMap.empty());
        Map<String, StateDescriptor> byName = new HashMap<>();
        states.forEach(state -> byName.put(qualifiedName(state), state));
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a heap-state checkpoint file");
            }
            Reader reader = new Reader(in);
            int stateCount = in.readInt();
            for (int i = 0; i < stateCount; i++) {
                String name = in.readUTF();
                long entries = in.readLong();
                StateDescriptor state = byName.get(name);
                if (state == null) {
                    throw new IOException("The checkpoint holds state " + name + ", which the application no longer has."
                            + " Restoring without it would drop it; start from a savepoint taken without it instead");
                }
                PersistentHashMap<Object, Object> table = PersistentHashMap.empty();
                for (long e = 0; e < entries; e++) {
                    Object key = reader.recordKey();
                    table = table.put(key, reader.stored(state));
                }
                tables[state.id()] = table;
            }
        }
        return tables;
    }

    private static String qualifiedName(StateDescriptor state) {
        return state.beanClass() + "." + state.name();
    }

    private final class Writer {
        private final DataOutputStream out;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        private final DataOutputStream bufferOut = new DataOutputStream(buffer);
        private final Map<Class<?>, Integer> keyClasses = new HashMap<>();

        Writer(DataOutputStream out) {
            this.out = out;
        }

        void recordKey(Object key) throws IOException {
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

        void stored(StateDescriptor state, Object stored) throws IOException {
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
            };
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
