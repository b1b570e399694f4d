package io.keyedstate.deployment;

/**
 * A checked {@code @OnTimer} method.
 *
 * @param timersState the id of its bean's {@code Timers} field
 * @param takesTimer whether it takes a {@code FiredTimer}
 * @param outgoing the channel its results go to, or null if it sends none by returning them
 */
public record OnTimerMethod(int timersState, String beanClass, String method, boolean takesTimer, String outgoing) {
}
