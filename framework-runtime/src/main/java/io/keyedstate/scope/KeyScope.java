package io.keyedstate.scope;

import io.keyedstate.backend.heap.HeapShard;

/**
 * What a state handle reads and writes while a record is handled: the shard of the record's
 * partition and the record's key (normalized: see {@link RecordKeys}).
 */
public record KeyScope(HeapShard shard, Object key) {
}
