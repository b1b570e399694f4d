package io.keyedstate.runtime.batch;

/**
 * A keyed handler's own per-record method, called for each record of a batch. The build generates
 * one per handler that runs batched, calling the method directly: no reflection.
 */
public interface RecordHandler {

    /**
     * Calls the handler with {@code argument}, the record as the method takes it; returns what the
     * method returns, null for a {@code void} one.
     */
    Object handle(Object argument);
}
