package io.keyedstate.scope;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Names each shard with a small int. A shard is the state of one partition of one keyed channel:
 * channels are consumed by consumers of their own, which the group may place on different
 * instances, so two channels never share a shard even when their partition numbers match.
 */
public final class ShardIds {

    private record Owner(String channel, int partition) {
    }

    private final Map<Owner, Integer> ids = new ConcurrentHashMap<>();
    private final List<Owner> owners = new CopyOnWriteArrayList<>();

    public int id(String channel, int partition) {
        Integer id = ids.get(new Owner(channel, partition));
        return id != null ? id : allocate(new Owner(channel, partition));
    }

    private synchronized int allocate(Owner owner) {
        return ids.computeIfAbsent(owner, o -> {
            owners.add(o);
            return owners.size() - 1;
        });
    }

    public String channel(int id) {
        return owners.get(id).channel();
    }

    public int partition(int id) {
        return owners.get(id).partition();
    }

    /** {@code words-3}: partition 3 of channel {@code words}. */
    public String describe(int id) {
        Owner owner = owners.get(id);
        return owner.channel() + "-" + owner.partition();
    }
}
