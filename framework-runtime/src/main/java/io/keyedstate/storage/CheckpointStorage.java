package io.keyedstate.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where checkpoints and savepoints are kept. Paths are relative, '/'-separated names under the
 * storage's root; the coordinator decides the layout, the storage only moves bytes. Every method
 * may block on I/O and is called off the processing threads.
 */
public interface CheckpointStorage extends AutoCloseable {

    /** Stores a copy of the local file {@code source} as {@code path}, replacing what is there. */
    void write(String path, Path source) throws IOException;

    /**
     * Stores {@code content} as {@code path} so that readers see either all of it or nothing, and so
     * that it is durable when this returns: what makes a checkpoint complete.
     */
    void writeAtomically(String path, byte[] content) throws IOException;

    /** Copies {@code path} into the local file {@code target}. */
    void read(String path, Path target) throws IOException;

    /** The content of {@code path}; {@link java.nio.file.NoSuchFileException} if there is none. */
    byte[] read(String path) throws IOException;

    /** The names of the entries directly under {@code folder}; empty if it does not exist. */
    List<String> list(String folder) throws IOException;

    /** When {@code path} was last written; {@link java.nio.file.NoSuchFileException} if there is none. */
    java.time.Instant lastModified(String path) throws IOException;

    /** Deletes the file {@code path}; nothing if it does not exist. */
    void delete(String path) throws IOException;

    /** Deletes {@code folder} and everything under it; nothing if it does not exist. */
    void deleteAll(String folder) throws IOException;

    /** Where this storage writes, for log lines. */
    String describe();

    /** Releases connections and threads. */
    @Override
    default void close() {
    }
}
