package io.keyedstate.checkpoint;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.keyedstate.scope.ShardIds;

/**
 * The one registry of the shards this instance has taken on, and of the keyed channels' commit
 * handlers, which track the shards' input partitions.
 */
final class OwnedShards {

    private final Map<Integer, OwnedShard> shards = new ConcurrentHashMap<>();
    private final Set<KeyedStateCommitHandler> handlers = ConcurrentHashMap.newKeySet();
    private final ShardIds shardIds;
    private final StorageLayout layout;
    private final String applicationFolder;

    OwnedShards(ShardIds shardIds, StorageLayout layout, String applicationFolder) {
        this.shardIds = shardIds;
        this.layout = layout;
        this.applicationFolder = applicationFolder;
    }

    /** The shard of a channel's partition, registered on first use. */
    OwnedShard take(String channel, int partition) {
        return shards.computeIfAbsent(shardIds.id(channel, partition), id -> new OwnedShard(id, channel, partition,
                layout.shard(channel, partition), applicationFolder));
    }

    int id(String channel, int partition) {
        return shardIds.id(channel, partition);
    }

    /** The shard, or null if this instance never took it on. */
    OwnedShard get(int id) {
        return shards.get(id);
    }

    Collection<OwnedShard> all() {
        return shards.values();
    }

    Set<KeyedStateCommitHandler> handlers() {
        return handlers;
    }

    /** The shard's tracked input partitions (several for co-partitioned topics), with their channel's handler. */
    Map<InputPartition, KeyedStateCommitHandler> inputsOf(OwnedShard shard) {
        Map<InputPartition, KeyedStateCommitHandler> inputs = new LinkedHashMap<>();
        handlers.stream().filter(handler -> handler.channel.equals(shard.channel))
                .forEach(handler -> handler.inputsOf(shard.partition).forEach(input -> inputs.put(input, handler)));
        return inputs;
    }
}
