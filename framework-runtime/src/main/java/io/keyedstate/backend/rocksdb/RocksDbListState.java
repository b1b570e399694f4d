package io.keyedstate.backend.rocksdb;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;


import io.keyedstate.ListState;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** One RocksDB entry per element, keyed by a shard-wide sequence: appending is a single put. */
final class RocksDbListState<T> extends RocksDbStateHandle implements ListState<T> {

    RocksDbListState(StateDescriptor descriptor, StateCodecs codecs, LongSupplier clock) {
        super(descriptor, codecs, clock);
    }

    @Override
    public void add(T element) {
        requireElement(element);
        ShardKey scope = scope();
        RocksDbShard shard = shard(scope);
        shard.put(id, KeyLayout.withSequence(KeyLayout.prefix(recordKey(scope)), shard.nextSequence()), encodeValue(element));
    }

    @Override
    public void addAll(List<? extends T> elements) {
        elements.forEach(element -> requireElement(element));
        elements.forEach(this::add);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterable<T> get() {
        ShardKey scope = scope();
        byte[] prefix = KeyLayout.prefix(recordKey(scope));
        List<T> live = new ArrayList<>();
        try (RocksDbShard.Cursor it = shard(scope).iterator(id)) {
            for (it.seek(prefix); it.isValid() && KeyLayout.startsWith(it.key(), prefix); it.next()) {
                Object value = decodeValue(it.value());
                if (value != null) {
                    live.add((T) value);
                }
            }
        }
        return live;
    }

    @Override
    public void update(List<? extends T> elements) {
        elements.forEach(element -> requireElement(element));
        ShardKey scope = scope();
        RocksDbShard shard = shard(scope);
        byte[] prefix = KeyLayout.prefix(recordKey(scope));
        List<byte[][]> entries = new ArrayList<>(elements.size());
        for (T element : elements) {
            entries.add(new byte[][] { KeyLayout.withSequence(prefix, shard.nextSequence()), encodeValue(element) });
        }
        shard.replacePrefix(id, prefix, entries);
    }
}
