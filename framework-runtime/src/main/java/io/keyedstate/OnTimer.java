package io.keyedstate;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The method of a bean with a {@code @KeyedState Timers} field that runs when one of its timers
 * comes due, with the timer's key bound: its keyed state reads and writes that key's state. It
 * never runs at the same time as a handler of the same partition.
 * <p>
 * It may take a {@link FiredTimer} parameter. It may return:
 * <ul>
 * <li>{@code void};</li>
 * <li>a {@code CompletionStage} or {@code Uni}, for example of an {@code Emitter} send: the timer
 * counts as handled, for checkpoints, once it completes;</li>
 * <li>a payload or a {@code Message}, which goes to the {@code @Outgoing} channel of the bean's
 * {@code @Incoming} handler, like the handler's own results; {@code null} sends nothing.</li>
 * </ul>
 * A failure is logged and the timer is not fired again.
 */
@Retention(RUNTIME)
@Target(METHOD)
public @interface OnTimer {
}
