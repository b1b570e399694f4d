package io.keyedstate.runtime;

import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.vertx.mutiny.core.Vertx;

/**
 * The commit strategy of keyed channels, {@value #NAME}: offsets are committed with checkpoints,
 * after the checkpoint is durable. The build makes it the default of every keyed channel.
 */
@ApplicationScoped
@Identifier(KeyedStateCommitStrategy.NAME)
public class KeyedStateCommitStrategy implements KafkaCommitHandler.Factory {

    public static final String NAME = "keyed-state";

    private final KeyedStates states;

    KeyedStateCommitStrategy(KeyedStates states) {
        this.states = states;
    }

    @Override
    public KafkaCommitHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx, KafkaConsumer<?, ?> consumer,
            BiConsumer<Throwable, Boolean> reportFailure) {
        String channel = config.getChannel();
        if (Boolean.parseBoolean(String.valueOf(consumer.configuration().get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)))) {
            throw new IllegalArgumentException("Channel '" + channel + "' has keyed state, so its offsets are committed"
                    + " with checkpoints; Kafka's auto-commit would commit them ahead of the state. Remove"
                    + " mp.messaging.incoming." + channel + ".enable.auto.commit=true");
        }
        if (!states.isKeyedChannel(channel)) {
            throw new IllegalArgumentException("commit-strategy=" + NAME + " on channel '" + channel + "', whose handler"
                    + " has no keyed state: use it only on channels of beans with @KeyedState fields");
        }
        return states.coordinator().commitHandler(channel, states.isConcurrentChannel(channel), config.getBatch(),
                consumer, reportFailure);
    }
}
