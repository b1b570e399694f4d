package io.keyedstate;

/** What drives a timer: record timestamps (through the watermark) or the wall clock. */
public enum TimeDomain {
    EVENT_TIME,
    PROCESSING_TIME
}
