package io.keyedstate.runtime;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.keyedstate.state.CurrentShardKey;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.PublisherDecorator;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.providers.locals.LocalContextMetadata;

/**
 * Binds each record of a keyed Kafka channel to its key and partition before the handler sees it,
 * by putting the scope into the record's own duplicated Vert.x context. SmallRye runs the handler
 * on that context whatever its signature or threading, so the binding follows the record and
 * concurrent records never see each other's key. Batches are left unbound: their handlers scope
 * each record with {@code KeyedScope.run}.
 */
@ApplicationScoped
public class KeyBindingDecorator implements PublisherDecorator {

    private static final Logger LOG = Logger.getLogger(KeyBindingDecorator.class);

    private final KeyedStates states;

    KeyBindingDecorator(KeyedStates states) {
        this.states = states;
    }

    @Override
    public int getPriority() {
        // After SmallRye's own context decorator (priority 0), before user decorators.
        return 10;
    }

    @Override
    public Multi<? extends Message<?>> decorate(Multi<? extends Message<?>> publisher, List<String> channels,
            boolean isConnector) {
        if (!isConnector || channels.stream().noneMatch(states::isKeyedChannel)) {
            return publisher;
        }
        String channel = channels.get(0);
        return publisher.filter(message -> bind(channel, message));
    }

    /** Binds the message's scope; false (after settling the message) if it cannot be handled. */
    private boolean bind(String channel, Message<?> message) {
        Optional<IncomingKafkaRecordMetadata> record = message.getMetadata(IncomingKafkaRecordMetadata.class);
        if (record.isEmpty()) {
            return true; // a batch, or not a Kafka record
        }
        IncomingKafkaRecordMetadata<?, ?> metadata = record.get();
        if (metadata.getKey() == null) {
            return rejectNullKey(channel, metadata, message);
        }
        Optional<LocalContextMetadata> context = message.getMetadata(LocalContextMetadata.class);
        if (context.isEmpty()) {
            message.nack(new IllegalStateException("Record " + describe(metadata) + " of channel '" + channel
                    + "' carries no Vert.x context, so its key cannot be bound"));
            return false;
        }
        CurrentShardKey.bind(context.get().context(), states.scope(channel, metadata.getPartition(), metadata.getKey()));
        return true;
    }

    private boolean rejectNullKey(String channel, IncomingKafkaRecordMetadata<?, ?> metadata, Message<?> message) {
        NullRecordKeyException problem = nullKeyProblem(states, channel, describe(metadata));
        if (problem == null) {
            message.ack();
        } else {
            message.nack(problem);
        }
        return false;
    }

    /**
     * What to do with a record with a null key, {@code where} naming it: null if it is to be
     * acknowledged without handling ({@code null-key=skip}), otherwise why to nack it, for the
     * channel's failure strategy to decide.
     */
    public static NullRecordKeyException nullKeyProblem(KeyedStates states, String channel, String where) {
        String problem = "Record " + where + " of channel '" + channel + "' has a null key, and the channel's"
                + " handler uses keyed state, which is scoped by key";
        if (states.config().nullKey() == KeyedStateConfig.NullKeyPolicy.SKIP) {
            LOG.debugf("%s: skipped (quarkus.keyed-state.null-key=skip)", problem);
            return null;
        }
        LOG.error(problem + ". The channel's failure strategy applies; set quarkus.keyed-state.null-key=skip to"
                + " acknowledge such records without handling them.");
        return new NullRecordKeyException(problem);
    }

    private static String describe(IncomingKafkaRecordMetadata<?, ?> metadata) {
        return metadata.getTopic() + "-" + metadata.getPartition() + "@" + metadata.getOffset();
    }

    /** Why a record with a null key was nacked. */
    public static final class NullRecordKeyException extends IllegalArgumentException {

        NullRecordKeyException(String message) {
            super(message);
        }
    }
}
