package io.keyedstate.backend.rocksdb;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;


import io.keyedstate.MapState;
import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** One RocksDB entry per map entry, under the record key's prefix: iteration is a prefix scan. */
final class RocksDbMapState<K, V> extends RocksDbStateHandle implements MapState<K, V> {

    private final StateCodec<Object> mapKeys;

    RocksDbMapState(StateDescriptor descriptor, StateCodecs codecs, LongSupplier clock) {
        super(descriptor, codecs, clock);
        this.mapKeys = codecs.forType(descriptor.mapKeyType());
    }

    private byte[] entryKey(byte[] prefix, Object mapKey) {
        return KeyLayout.concat(prefix, StoredBytes.encode(mapKeys, mapKey));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(K key) {
        ShardKey scope = scope();
        return (V) decodeValue(shard(scope).get(id, entryKey(KeyLayout.prefix(recordKey(scope)), key)));
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            remove(key);
            return;
        }
        ShardKey scope = scope();
        shard(scope).put(id, entryKey(KeyLayout.prefix(recordKey(scope)), key), encodeValue(value));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        entries.forEach(this::put);
    }

    @Override
    public void remove(K key) {
        ShardKey scope = scope();
        shard(scope).delete(id, entryKey(KeyLayout.prefix(recordKey(scope)), key));
    }

    @Override
    public Iterable<K> keys() {
        return entries().stream().map(Map.Entry::getKey).toList();
    }

    @Override
    public Iterable<V> values() {
        return entries().stream().map(Map.Entry::getValue).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Map.Entry<K, V>> entries() {
        ShardKey scope = scope();
        RocksDbShard shard = shard(scope);
        byte[] prefix = KeyLayout.prefix(recordKey(scope));
        List<Map.Entry<K, V>> live = new ArrayList<>();
        // A RocksDB iterator reads one implicit snapshot: writes during the loop do not show.
        try (RocksDbShard.Cursor it = shard.iterator(id)) {
            for (it.seek(prefix); it.isValid() && KeyLayout.startsWith(it.key(), prefix); it.next()) {
                Object value = decodeValue(it.value());
                if (value != null) {
                    byte[] key = it.key();
                    Object mapKey = StoredBytes.decode(mapKeys, Arrays.copyOfRange(key, prefix.length, key.length), false);
                    live.add(new SimpleImmutableEntry<>((K) mapKey, (V) value));
                }
            }
        }
        return live;
    }

    @Override
    public boolean isEmpty() {
        ShardKey scope = scope();
        byte[] prefix = KeyLayout.prefix(recordKey(scope));
        try (RocksDbShard.Cursor it = shard(scope).iterator(id)) {
            for (it.seek(prefix); it.isValid() && KeyLayout.startsWith(it.key(), prefix); it.next()) {
                if (decodeValue(it.value()) != null) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void clear() {
        ShardKey scope = scope();
        shard(scope).replacePrefix(id, KeyLayout.prefix(recordKey(scope)), List.of());
    }
}
