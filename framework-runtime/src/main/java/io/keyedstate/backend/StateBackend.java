package io.keyedstate.backend;

import io.keyedstate.state.StateShard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;

import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;

/**
 * Stores keyed state, one {@link StateShard} per partition of a keyed channel. A shard exists from its
 * partition's assignment (or its first record) until its revocation.
 */
public interface StateBackend extends AutoCloseable {

    /** Shard {@code shardId}, created empty if it does not exist yet. */
    StateShard shard(int shardId);

    /** Drops a shard whose partition this instance no longer owns, with its local data. */
    void drop(int shardId);

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

    /** The backend's name, recorded in checkpoints: {@code heap} or {@code rocksdb}. */
    String name();

    /**
     * The synchronous part of a checkpoint of a shard: a frozen view of its state, taken in a time
     * that does not grow with the state's size. The caller makes sure no record is being applied.
     *
     * @param reusable the files that the shard's last confirmed checkpoint stored outside its own
     *        folder, by name, which this snapshot may inherit (see {@link ShardSnapshot#inherited()});
     *        empty when the snapshot must be self-contained (a savepoint, or incremental checkpoints off)
     */
    ShardSnapshot snapshot(int shardId, Set<String> reusable) throws IOException;

    /**
     * Replaces shard {@code shardId} with the state in {@code dir}, written by {@link #snapshot},
     * converting the states that {@code plan} says were stored in another form to their declared
     * form, and discarding those it drops. A restore that changed anything must not let the next
     * snapshot build on the restored files: they hold the old form.
     */
    void restore(int shardId, Path dir, RestorePlan plan) throws IOException;

    /** Replaces shard {@code shardId} with the state in {@code dir}, stored as the states are declared. */
    default void restore(int shardId, Path dir) throws IOException {
        restore(shardId, dir, RestorePlan.NONE);
    }

    /**
     * A local directory for files on their way to or from checkpoint storage: on the same file
     * system as the backend's own files, so that restored files can be moved rather than copied.
     */
    Path stagingDir();

    /** Releases every shard's resources; local data may be deleted. */
    @Override
    void close();
}
