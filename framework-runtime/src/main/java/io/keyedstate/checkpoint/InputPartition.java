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
    /** Let go: the gate stays closed for good, so nothing is admitted after the partition's final barrier. */
    private boolean retired;
    private CompletableFuture<Long> drained;
    /** Completes with whether the batch records waiting at the closed gate were admitted (false: the partition was let go). */
    private CompletableFuture<Boolean> opened;
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
        if (!batch) {
            inFlight++; // batch channels count acknowledgements by offset instead
        }
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
     * now, else a stage that completes when the gate reopens (holding back the whole batch), with
     * whether the record was admitted then: not if its partition was let go meanwhile.
     */
    synchronized CompletableFuture<Boolean> admitOrWait(long offset, long timestamp) {
        if (!closed) {
            admitted(offset, timestamp);
            return null;
        }
        if (retired) {
            return CompletableFuture.completedFuture(false);
        }
        if (opened == null) {
            opened = new CompletableFuture<>();
        }
        return opened.thenApply(admit -> {
            if (admit) {
                admitted(offset, timestamp);
            }
            return admit;
        });
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

    /**
     * Closes the gate for good: the partition is being let go. Whatever reaches the gate from now
     * on, or waits at it, was polled before the revocation and is not admitted: applied after the
     * final barrier, it would be in the shard but not in its final checkpoint, and counted again
     * when processing resumes there. Records admitted before are still awaited by {@link #close}.
     */
    synchronized void retire() {
        closed = true;
        retired = true;
        if (opened != null) {
            CompletableFuture<Boolean> waiting = opened;
            opened = null;
            waiting.complete(false);
        }
    }

    /**
     * Reopens the gate, unless the partition was let go; the caller releases the held records, in
     * order, before any later one, if this returns true, and drops them otherwise.
     */
    synchronized boolean open() {
        if (retired) {
            return false;
        }
        closed = false;
        drained = null;
        if (opened != null) {
            CompletableFuture<Boolean> waiting = opened;
            opened = null;
            waiting.complete(true); // admits the waiting batch records, under this lock, before any new close
        }
        return true;
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
        String pending = batch ? "acknowledged up to " + acknowledgedUpTo : inFlight + " in flight";
        return topicPartition + " (" + pending + ", next offset " + nextOffset + ", " + held.size()
                + " held" + (retired ? ", let go)" : closed ? ", gate closed)" : ")");
    }
}
