package io.keyedstate.backend;

import java.util.Collection;

import io.keyedstate.state.StateDescriptor;

/**
 * Stores keyed state, one {@link StateShard} per input partition. A shard exists from the
 * partition's assignment (or its first record) until its revocation.
 */
public interface StateBackend extends AutoCloseable {

    /** The shard of {@code partition}, created empty if the partition has none yet. */
    StateShard shard(int partition);

    /** Drops the shard of a partition this instance no longer owns, with its local data. */
    void drop(int partition);

    Collection<? extends StateShard> shards();

    /** The handle ({@code ValueState}, {@code MapState} or {@code ListState}) a field of this descriptor gets. */
    Object handle(StateDescriptor descriptor);

    /**
     * Removes expired values, so that keys never read again do not hold memory or disk. Safe while
     * records are processed.
     *
     * @return how many stored entries were removed or shrunk
     */
    long removeExpired();

    /** Releases every shard's resources; local data may be deleted. */
    @Override
    void close();
}
