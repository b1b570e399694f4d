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

    /** Deletes the local files and releases what the snapshot holds. */
    @Override
    void close();
}
