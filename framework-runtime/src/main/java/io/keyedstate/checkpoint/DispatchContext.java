package io.keyedstate.checkpoint;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The Vert.x context on which the connector hands a channel's records to its gates. The connector
 * takes records from its queue and passes them on within one task of that context, and the
 * context runs its tasks one at a time: once a task submitted now has run, no record taken from
 * the queue before now is still on its way to a gate.
 */
final class DispatchContext {

    private volatile Context context;

    /** Called on the thread that hands a record to a gate. */
    void seen() {
        if (context == null) {
            context = Vertx.currentContext();
        }
    }

    /** Whether every record taken from the connector's queue before this call reached its gate within the timeout. */
    boolean awaitPassed(long timeoutNanos) {
        Context current = context;
        if (current == null) {
            return true; // no record was handed on yet
        }
        CountDownLatch passed = new CountDownLatch(1);
        current.runOnContext(ignored -> passed.countDown());
        try {
            return passed.await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
