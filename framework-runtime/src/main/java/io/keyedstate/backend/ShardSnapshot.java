package io.keyedstate.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A shard's state frozen at a checkpoint barrier. Taking it is the short, synchronous part of a
 * checkpoint; turning it into files is the asynchronous part, done while processing goes on.
 */
public interface ShardSnapshot extends AutoCloseable {

    /** Writes the snapshot as local files, if it is not already, and names them. Called once. */
    List<Path> files() throws IOException;

    /**
     * Whether the file named {@code name} never changes under that name, so a checkpoint may
     * reference the copy an earlier one stored rather than store it again (RocksDB's SST files).
     */
    default boolean isImmutable(String name) {
        return false;
    }

    /**
     * Files of the checkpoint this snapshot builds on that belong to it unchanged, by name: its
     * checkpoint references the stored copies. They are not among {@link #files()}. Known once
     * {@code files()} returned.
     */
    default List<String> inherited() {
        return List.of();
    }

    /**
     * Whether the snapshot is known to hold no entry of the state with id {@code state}, so that a
     * restore may drop it without losing anything once the application no longer declares it.
     * False when not known.
     */
    default boolean holdsNothing(int state) {
        return false;
    }

    /**
     * Called once the checkpoint of this snapshot is durable (never for a savepoint): the shard's
     * next snapshots may build on it.
     */
    default void confirmed() {
    }

    /** Deletes the local files and releases what the snapshot holds. */
    @Override
    void close();
}
