package io.keyedstate.runtime;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.invoke.Invoker;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.keyedstate.FiredTimer;
import io.keyedstate.timer.TimerCallback;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;

/**
 * The application's {@code @OnTimer} methods, by the id of the {@code Timers} field whose timers
 * they handle, each called through an invoker generated at build time; and the streams that carry
 * what they return to their handler's {@code @Outgoing} channel. A bean that the recorder fills at
 * start-up, for the timer service and the output decorator; each dev-mode restart has a new one.
 */
@Singleton
public class OnTimerMethods {

    private final Map<Integer, TimerCallback> callbacks = new ConcurrentHashMap<>();
    private final Map<String, Output> outputs = new ConcurrentHashMap<>();

    /**
     * @param outgoing the channel that values it returns go to, or null if it returns nothing to send
     */
    void register(int timersState, Invoker<Object, Object> invoker, boolean takesTimer, String outgoing) {
        Output output = outgoing == null ? null : outputs.computeIfAbsent(outgoing, channel -> new Output());
        callbacks.put(timersState, timer -> result(invoker.invoke(null, takesTimer ? new Object[] { timer }
                : new Object[0]), output));
    }

    TimerCallback forState(int timersState) {
        TimerCallback callback = callbacks.get(timersState);
        if (callback == null) {
            throw new IllegalStateException("No @OnTimer method was registered for timers of state " + timersState);
        }
        return callback;
    }

    /** What the timers of {@code channel}'s handler send, or null if they send nothing there. */
    Multi<Message<?>> output(String channel) {
        Output output = outputs.get(channel);
        return output == null ? null : output.messages;
    }

    private static CompletionStage<?> result(Object returned, Output output) {
        if (returned == null) {
            return null;
        } else if (returned instanceof CompletionStage<?> stage) {
            return stage;
        } else if (returned instanceof Uni<?> uni) {
            return uni.subscribeAsCompletionStage();
        } else if (output != null) {
            return output.send(returned instanceof Message<?> message ? message : Message.of(returned));
        }
        return null;
    }

    /** One outgoing channel's messages from timers; they wait here until the channel is subscribed. */
    private static final class Output {
        private final UnicastProcessor<Message<?>> messages = UnicastProcessor.create();

        /** Completes once the message is acknowledged downstream, fails if it is nacked. */
        synchronized CompletionStage<Void> send(Message<?> message) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            messages.onNext(message
                    .withAck(() -> message.ack().thenRun(() -> done.complete(null)))
                    .withNack(reason -> message.nack(reason).thenRun(() -> done.completeExceptionally(reason))));
            return done;
        }
    }
}
