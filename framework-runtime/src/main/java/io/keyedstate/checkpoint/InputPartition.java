package io.keyedstate.checkpoint;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;

/**
 * One assigned input partition of a keyed channel: which records have entered processing, how
 * many of them are not yet acknowledged, and the barrier gate. While the gate is closed, records of
 * this partition are held back, so the ones admitted before it can drain and the shard be
 * snapshotted between the two. Guarded by {@code this}.
 */
final class InputPartition {

    final TopicPartition topicPartition;
    final int shardId;
    final int generation;
    /** The offset after the last admitted record, or -1 if none was admitted since assignment. */
    private long nextOffset = -1;
    /** Where processing started (a restored checkpoint's offset), or -1 if the group's committed offset decided. */
    private final long startOffset;
    /** The barrier of the last completed checkpoint, to skip shards with nothing new. */
    private long checkpointedOffset;
    /** The largest timestamp of an admitted record (or of the restored checkpoint's), for the event-time watermark. */
    private volatile long maxTimestamp;
    private int inFlight;
    /** Batch channels acknowledge the last record of each partition of a batch: done up to this offset. */
    private long acknowledgedUpTo = -1;
    private final boolean batch;
    private boolean closed;
    private CompletableFuture<Long> drained;
    private CompletableFuture<Void> opened;
    final ArrayDeque<Object> held = new ArrayDeque<>();
    /** How many held records were replaced by an extra upstream request, so the stream kept flowing. */
    int compensated;
    /** Per record key being processed, the admitted records of that key waiting for it (per-key ordering only). */
    private final Map<Object, ArrayDeque<Object>> busyKeys = new HashMap<>();


    InputPartition(TopicPartition topicPartition, int shardId, int generation, long startOffset, long startTimestamp,
            boolean batch) {
        this.topicPartition = topicPartition;
        this.shardId = shardId;
        this.maxTimestamp = startTimestamp;
        this.batch = batch;
        this.generation = generation;
        this.startOffset = startOffset;
        this.checkpointedOffset = startOffset;
    }

    /** Whether the record may enter processing now; if not, the caller holds it until {@link #open}. */
    synchronized boolean admit(long offset, long timestamp) {
        if (closed) {
            return false;
        }
        admitted(offset, timestamp);
        return true;
    }

    synchronized void admitted(long offset, long timestamp) {
        inFlight++;
        nextOffset = Math.max(nextOffset, offset + 1);
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * For batch channels, whose records cannot be held back one by one: null if the record may go
     * now, else a stage that admits it when the gate reopens (holding back the whole batch).
     */
    synchronized CompletableFuture<Void> admitOrWait(long offset, long timestamp) {
        if (!closed) {
            admitted(offset, timestamp);
            return null;
        }
        if (opened == null) {
            opened = new CompletableFuture<>();
        }
        return opened.thenRun(() -> admitted(offset, timestamp));
    }

    /** A batch was acknowledged, up to and including {@code offset} of this partition. */
    synchronized void acknowledgedUpTo(long offset) {
        acknowledgedUpTo = Math.max(acknowledgedUpTo, offset + 1);
        if (drained != null && acknowledgedUpTo >= nextOffset) {
            CompletableFuture<Long> done = drained;
            drained = null;
            done.complete(barrier());
        }
    }

    private boolean idle() {
        return batch ? nextOffset < 0 || acknowledgedUpTo >= nextOffset : inFlight <= 0;
    }

    /** Whether a record of {@code key} may be processed now; if not, it waits for the one before it. */
    synchronized boolean enterKey(Object key, Object record) {
        ArrayDeque<Object> waiting = busyKeys.get(key);
        if (waiting == null) {
            busyKeys.put(key, new ArrayDeque<>(2));
            return true;
        }
        waiting.add(record);
        return false;
    }

    /** The next record of {@code key} to process, now that the one before it is done; null if none waits. */
    synchronized Object leaveKey(Object key) {
        ArrayDeque<Object> waiting = busyKeys.get(key);
        if (waiting == null) {
            return null;
        }
        Object next = waiting.poll();
        if (next == null) {
            busyKeys.remove(key);
        }
        return next;
    }

    synchronized void acknowledged() {
        if (inFlight == 0) {
            return; // a record admitted under an earlier ownership whose handover failed: not ours to count
        }
        inFlight--;
        if (inFlight == 0 && drained != null) {
            CompletableFuture<Long> done = drained;
            drained = null;
            done.complete(barrier());
        }
    }

    /**
     * Closes the gate; completes with the barrier offset (-1 if unknown) once every admitted record
     * is acknowledged.
     */
    synchronized CompletableFuture<Long> close() {
        closed = true;
        if (idle()) {
            return CompletableFuture.completedFuture(barrier());
        }
        drained = new CompletableFuture<>();
        return drained;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Reopens the gate; the caller releases the held records, in order, before any later one. */
    synchronized void open() {
        closed = false;
        drained = null;
        if (opened != null) {
            CompletableFuture<Void> waiting = opened;
            opened = null;
            waiting.complete(null); // admits the waiting batch records, under this lock, before any new close
        }
    }

    synchronized boolean changedSince(long barrier) {
        return barrier() != barrier;
    }

    synchronized long checkpointedOffset() {
        return checkpointedOffset;
    }

    synchronized void checkpointed(long barrier) {
        checkpointedOffset = barrier;
    }

    private long barrier() {
        return nextOffset >= 0 ? nextOffset : startOffset;
    }

    @Override
    public synchronized String toString() {
        return topicPartition + " (" + inFlight + " in flight, next offset " + nextOffset + ", " + held.size()
                + " held" + (closed ? ", gate closed)" : ")");
    }
}
