package io.keyedstate.timer;

import java.util.concurrent.CompletionStage;

import io.keyedstate.FiredTimer;

/** Calls a bean's {@code @OnTimer} method, with the timer's key already bound. */
@FunctionalInterface
public interface TimerCallback {

    /** Completes when the timer is handled: its method returned, and what it sent was acknowledged. */
    CompletionStage<?> fire(FiredTimer timer) throws Exception;
}
