package io.keyedstate.runtime;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.PublisherDecorator;

/**
 * Merges what {@code @OnTimer} methods return into the {@code @Outgoing} stream of their bean's
 * handler, so it reaches the channel's connector, interceptors and acknowledgements like the
 * handler's own results.
 */
@ApplicationScoped
public class TimerOutputDecorator implements PublisherDecorator {

    private final OnTimerMethods onTimerMethods;

    TimerOutputDecorator(OnTimerMethods onTimerMethods) {
        this.onTimerMethods = onTimerMethods;
    }

    @Override
    public int getPriority() {
        return 20;
    }

    @Override
    public Multi<? extends Message<?>> decorate(Multi<? extends Message<?>> publisher, List<String> channels,
            boolean isConnector) {
        if (isConnector) {
            return publisher;
        }
        for (String channel : channels) {
            Multi<Message<?>> timers = onTimerMethods.output(channel);
            if (timers != null) {
                @SuppressWarnings("unchecked")
                Multi<Message<?>> handled = (Multi<Message<?>>) publisher;
                return Multi.createBy().merging().streams(handled, timers);
            }
        }
        return publisher;
    }
}
