package io.keyedstate.checkpoint;

/** What happens to a partition that has checkpoints of which none can be restored. */
public enum UnrecoverableShardPolicy {
    /** The partition is not processed until configuration says what to do. */
    FAIL,
    /** The state starts empty and the partition is read again from its beginning. */
    REPROCESS,
    /** The state starts empty and processing continues from the group's committed offset. */
    START_EMPTY
}
