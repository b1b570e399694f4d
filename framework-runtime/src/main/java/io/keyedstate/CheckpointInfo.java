package io.keyedstate;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What operators see of a checkpoint or savepoint of one partition: its metadata, never its
 * state.
 *
 * @param id its folder name, {@code chk-<n>-g<generation>}
 * @param n its sequence number in its partition
 * @param savepoint whether it is a savepoint
 * @param origin the savepoint its partition's state was restored from, or null
 * @param backend the state backend that wrote it: {@code heap} or {@code rocksdb}
 * @param createdAt when it was written
 * @param offsets per input partition ({@code <topic>-<partition>}), the next offset to process
 *        after it
 * @param fileCount how many files its state is stored in
 * @param totalBytes the size of its state, in bytes
 * @param uploadedBytes the bytes it wrote; the rest it shares with earlier checkpoints
 */
public record CheckpointInfo(String id, long n, boolean savepoint, String origin, String backend, Instant createdAt,
        Map<String, Long> offsets, int fileCount, long totalBytes, long uploadedBytes) {

    public CheckpointInfo {
        offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
    }
}
