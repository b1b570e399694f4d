package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

class DispatchContextTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void nothingHandedOnYetIsNothingToWaitFor() {
        assertThat(new DispatchContext().awaitPassed(0)).isTrue();
    }

    @Test
    void waitsForTheTaskThatIsHandingRecordsOnToEnd() throws Exception {
        DispatchContext dispatch = new DispatchContext();
        Context context = vertx.getOrCreateContext();
        CountDownLatch handingOn = new CountDownLatch(1);
        CountDownLatch gateReached = new CountDownLatch(1);
        // A dispatch task that took a record from the queue and has not reached the gate yet.
        context.runOnContext(ignored -> {
            dispatch.seen();
            handingOn.countDown();
            await(gateReached);
        });
        assertThat(handingOn.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(dispatch.awaitPassed(Duration.ofMillis(50).toNanos())).isFalse();
        gateReached.countDown();
        assertThat(dispatch.awaitPassed(Duration.ofSeconds(10).toNanos())).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
