package io.keyedstate.backend.rocksdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.state.StateDescriptor;

/**
 * The RocksDB backend's snapshot strategy: a flush and a native checkpoint, hard links to the
 * shard's immutable SST files in a staging directory. It is incremental by name: an SST file's name
 * is never reused, so the uploader stores only the SST files the last confirmed checkpoint does not
 * already reference.
 */
final class RocksDbIncrementalSnapshot implements ShardSnapshot {

    private static final Logger LOG = Logger.getLogger(RocksDbIncrementalSnapshot.class);

    private final Path dir;
    /** The states that hold no entry, by id. */
    private final BitSet empty;

    private RocksDbIncrementalSnapshot(Path dir, BitSet empty) {
        this.dir = dir;
        this.empty = empty;
    }

    /** Takes the snapshot of {@code shard} into a new directory under {@code stagingDir}. */
    static RocksDbIncrementalSnapshot take(RocksDbShard shard, List<StateDescriptor> states, Path stagingDir)
            throws IOException {
        Path target = Files.createTempDirectory(stagingDir, "snapshot-" + shard.id() + "-");
        Files.delete(target); // RocksDB creates the checkpoint directory itself
        shard.snapshotTo(target);
        BitSet empty = new BitSet(states.size());
        for (StateDescriptor state : states) {
            empty.set(state.id(), shard.storesNothing(state.id()));
        }
        return new RocksDbIncrementalSnapshot(target, empty);
    }

    @Override
    public List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Override
    public boolean isImmutable(String name) {
        return name.endsWith(".sst");
    }

    @Override
    public boolean holdsNothing(int state) {
        return empty.get(state);
    }

    @Override
    public void close() {
        try {
            LocalFiles.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warnf("Could not delete the local snapshot %s: %s", dir, e.getMessage());
        }
    }
}
