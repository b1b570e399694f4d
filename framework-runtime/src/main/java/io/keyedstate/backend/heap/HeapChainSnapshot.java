package io.keyedstate.backend.heap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.ShardSnapshot;

/**
 * The heap backend's snapshot strategy: a shard's state as one file of a chain. The file is a delta
 * against the last confirmed snapshot (the base) when there is one and the delta holds at most half
 * of the entries; otherwise it is a full file, which starts a new chain. Once the checkpoint that
 * stores it is confirmed, this snapshot becomes the base of the next delta.
 */
final class HeapChainSnapshot implements ShardSnapshot {

    /** The last confirmed snapshot of a shard and the chain of files it is stored in: the base of the next delta. */
    record Chain(HeapSnapshot base, List<String> files, long nextSeq) {
    }

    private final HeapShard shard;
    private final HeapSnapshot snapshot;
    private final Chain base;
    private final long seq;
    private final HeapShardFile file;
    private final Path stagingDir;
    /** Told the chain this snapshot ends, once its checkpoint is confirmed. */
    private final Consumer<Chain> confirmed;
    private List<String> inherited = List.of();
    private Path dir;

    /**
     * @param base the chain to write a delta against, or null for a full file
     * @param seq the file's number in the shard's chain
     */
    HeapChainSnapshot(HeapShard shard, HeapSnapshot snapshot, Chain base, long seq, HeapShardFile file, Path stagingDir,
            Consumer<Chain> confirmed) {
        this.shard = shard;
        this.snapshot = snapshot;
        this.base = base;
        this.seq = seq;
        this.file = file;
        this.stagingDir = stagingDir;
        this.confirmed = confirmed;
    }

    @Override
    public List<Path> files() throws IOException {
        dir = Files.createTempDirectory(stagingDir, "shard-" + shard.id() + "-");
        Path written = dir.resolve(HeapShardFile.name(seq));
        if (base != null) {
            long entries = file.writeDelta(base.base(), snapshot, written);
            // A delta of most keys costs as much as a full file, and lengthens every restore.
            if (2 * entries <= entryCount(snapshot)) {
                inherited = base.files();
                return List.of(written);
            }
        }
        file.writeFull(snapshot, written);
        return List.of(written);
    }

    @Override
    public boolean isImmutable(String name) {
        return true; // a chain file's name is never reused for other content
    }

    @Override
    public List<String> inherited() {
        return inherited;
    }

    @Override
    public boolean holdsNothing(int state) {
        return snapshot.tables()[state].isEmpty();
    }

    @Override
    public void confirmed() {
        List<String> files = new ArrayList<>(inherited);
        files.add(HeapShardFile.name(seq));
        confirmed.accept(new Chain(snapshot, List.copyOf(files), seq + 1));
    }

    @Override
    public void close() {
        if (dir != null) {
            try {
                LocalFiles.deleteRecursively(dir);
            } catch (IOException e) {
                // Temporary files only: what is left goes with the staging directory.
            }
        }
    }

    private static long entryCount(HeapSnapshot snapshot) {
        long count = 0;
        for (PersistentHashMap<Object, Object> table : snapshot.tables()) {
            count += table.size();
        }
        return count;
    }
}
