package io.keyedstate.deployment;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.MethodInfo;

/**
 * A keyed handler that runs batched: its channel is consumed a poll at a time by a generated
 * consumer that calls {@code method} once per record.
 *
 * @param argument what the method takes, one of the {@code KeyedBatches} argument kinds
 * @param outgoing the Kafka channel its results are sent to, or null if it returns nothing
 * @param blocking whether it runs on a worker thread: {@code @Blocking}, or a blocking signature without {@code @NonBlocking}
 * @param blockingPool the worker pool its {@code @Blocking} names, or null for the default one
 */
record BatchedHandler(MethodInfo method, String channel, int argument, String outgoing, boolean blocking, String blockingPool) {

    static String poolOf(AnnotationInstance blocking) {
        return blocking == null || blocking.value() == null || blocking.value().asString().isEmpty()
                || blocking.value().asString().equals("<no-value>") ? null : blocking.value().asString();
    }
}
