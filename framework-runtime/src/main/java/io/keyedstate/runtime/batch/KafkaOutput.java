package io.keyedstate.runtime.batch;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConnector;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;

/**
 * The Kafka {@code @Outgoing} channel of a batched handler: what the handler returns for a record
 * is sent straight to the channel's own producer, as the record SmallRye's Kafka sink would have
 * written (topic, partition, key, timestamp and headers from the same places, in the same order of
 * precedence), without a message and its operators per output. What the sink adds beyond that is
 * refused at startup, so that a handler never silently loses it: tracing, cloud events and producer
 * interceptor beans. The build keeps handlers whose channel has them on the per-record path; this
 * catches the configuration that changed since the build.
 */
public final class KafkaOutput {

    private static final String CONNECTOR_PREFIX = "mp.messaging.connector.smallrye-kafka.";

    private final String channel;
    private final String topic;
    private final Integer partition;
    private final Object key;
    private final boolean propagateRecordKey;
    private final Set<String> propagateHeaders;
    private final boolean cloudEvents;
    private final KafkaClientService clients;
    private volatile Producer<Object, Object> producer;

    KafkaOutput(String channel, KafkaClientService clients) {
        this.channel = channel;
        this.clients = clients;
        this.topic = attribute("topic").orElse(channel);
        int configuredPartition = attribute("partition").map(Integer::parseInt).orElse(-1);
        this.partition = configuredPartition < 0 ? null : configuredPartition;
        this.key = attribute("key").orElse(null);
        this.propagateRecordKey = attribute("propagate-record-key").map(Boolean::parseBoolean).orElse(false);
        this.propagateHeaders = attribute("propagate-headers").stream()
                .flatMap(list -> Arrays.stream(list.split(","))).map(String::trim).filter(name -> !name.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.cloudEvents = attribute("cloud-events").map(Boolean::parseBoolean).orElse(true);
        String connector = ConfigProvider.getConfig()
                .getOptionalValue("mp.messaging.outgoing." + channel + ".connector", String.class).orElse("none");
        String refusal = connector.equals(KafkaConnector.CONNECTOR_NAME) ? unsent(channel, true).orElse(null)
                : "is a channel of connector '" + connector + "', not of Kafka's";
        if (refusal != null) {
            throw new IllegalStateException("The channel '" + channel + "' " + refusal + ", which a batched keyed"
                    + " handler does not send through. Set quarkus.keyed-state.batched-handlers=false at build time to keep"
                    + " its handler on SmallRye's per-record path, or remove the property.");
        }
    }

    /**
     * What the Kafka channel {@code channel}'s sink would add that a batched handler does not send
     * through, as said after "the channel", or empty: the build keeps such handlers on the
     * per-record path, startup refuses what changed since. {@code tracedByDefault}: whether tracing
     * is on when the channel does not say (at build time, whether the application has a tracer).
     */
    public static Optional<String> unsent(String channel, boolean tracedByDefault) {
        if (attribute(channel, "tracing-enabled").map(Boolean::parseBoolean).orElse(tracedByDefault)) {
            return Optional.of("has tracing enabled ('tracing-enabled'), which SmallRye's sink does per record");
        }
        if (attribute(channel, "interceptor-bean").isPresent()) {
            return Optional.of("has a producer interceptor bean ('interceptor-bean')");
        }
        if (attribute(channel, "cloud-events").map(Boolean::parseBoolean).orElse(true)
                && attribute(channel, "cloud-events-type").isPresent() && attribute(channel, "cloud-events-source").isPresent()) {
            return Optional.of("writes every record as a cloud event ('cloud-events-type' and 'cloud-events-source')");
        }
        return Optional.empty();
    }

    private Optional<String> attribute(String name) {
        return attribute(channel, name);
    }

    /** A channel attribute as the Kafka connector reads it: the channel's own, else the connector's default. */
    private static Optional<String> attribute(String channel, String name) {
        Config config = ConfigProvider.getConfig();
        return config.getOptionalValue("mp.messaging.outgoing." + channel + "." + name, String.class)
                .or(() -> config.getOptionalValue(CONNECTOR_PREFIX + name, String.class));
    }

    /** Sends the record for {@code result}, the handler's result for {@code input}; {@code done} hears how it went. */
    void send(Object result, IncomingKafkaRecord<?, ?> input, Callback done) {
        producer().send(recordOf(result, input), done);
    }

    @SuppressWarnings("unchecked")
    private Producer<Object, Object> producer() {
        Producer<Object, Object> current = producer;
        if (current == null) {
            io.smallrye.reactive.messaging.kafka.KafkaProducer<Object, Object> managed = clients.getProducer(channel);
            current = managed == null ? null : managed.unwrap();
            if (current == null) {
                throw new IllegalStateException("The Kafka channel '" + channel + "' has no producer yet: a batched keyed"
                        + " handler needs it created at startup (lazy-client=false, the default)");
            }
            producer = current;
        }
        return current;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    ProducerRecord<Object, Object> recordOf(Object result, IncomingKafkaRecord<?, ?> input) {
        Message<?> message = result instanceof Message<?> m ? m : null;
        Object payload = message == null ? result : message.getPayload();
        if (payload instanceof ProducerRecord record) {
            return record;
        }
        OutgoingKafkaRecordMetadata<?> outgoing = null;
        // A payload result travels with its input's metadata, a message result with its own only.
        Object inputKey = input.getKey();
        Headers inputHeaders = input.getHeaders();
        if (message != null) {
            outgoing = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElse(null);
            if (cloudEvents && message.getMetadata(OutgoingCloudEventMetadata.class).isPresent()) {
                throw new IllegalStateException("The handler of Kafka channel '" + channel + "' returned a cloud event,"
                        + " which a batched keyed handler does not send. Set quarkus.keyed-state.batched-handlers=false at"
                        + " build time to keep it on SmallRye's per-record path.");
            }
            IncomingKafkaRecordMetadata<?, ?> incoming = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
            inputKey = incoming == null ? null : incoming.getKey();
            inputHeaders = incoming == null ? null : incoming.getHeaders();
        }
        Header replyTopic = inputHeaders == null ? null : inputHeaders.lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER);
        Header replyPartition = inputHeaders == null ? null
                : inputHeaders.lastHeader(KafkaRequestReply.DEFAULT_REPLY_PARTITION_HEADER);
        String actualTopic = replyTopic != null ? new String(replyTopic.value())
                : outgoing != null && outgoing.getTopic() != null ? outgoing.getTopic() : topic;
        Integer actualPartition = partition;
        if (replyPartition != null) {
            actualPartition = KafkaRequestReply.replyPartitionFromBytes(replyPartition.value());
        } else if (outgoing != null && outgoing.getPartition() > -1) {
            actualPartition = outgoing.getPartition();
        }
        Object actualKey;
        if (outgoing != null && outgoing.getKey() != null) {
            actualKey = outgoing.getKey();
        } else if (payload instanceof Record record) {
            actualKey = record.key();
        } else if (propagateRecordKey && inputKey != null) {
            actualKey = inputKey;
        } else {
            actualKey = key;
        }
        Long timestamp = outgoing == null || outgoing.getTimestamp() == null ? null : outgoing.getTimestamp().toEpochMilli();
        Object value = payload instanceof Record record ? record.value() : payload;
        return new ProducerRecord<>(actualTopic, actualPartition, timestamp, actualKey, value,
                headers(outgoing, inputHeaders));
    }

    /**
     * The reply correlation id and the headers the channel propagates, then the result's own, which
     * win; null when there are none, which spares the producer record a copy.
     */
    private Headers headers(OutgoingKafkaRecordMetadata<?> outgoing, Headers inputHeaders) {
        Headers headers = null;
        if (inputHeaders != null) {
            Header correlation = inputHeaders.lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
            if (correlation != null) {
                headers = new RecordHeaders().add(correlation);
            }
            if (!propagateHeaders.isEmpty()) {
                for (Header header : inputHeaders) {
                    if (propagateHeaders.contains(header.key())) {
                        headers = headers == null ? new RecordHeaders() : headers;
                        headers.add(header);
                    }
                }
            }
        }
        if (outgoing != null && outgoing.getHeaders() != null && outgoing.getHeaders().iterator().hasNext()) {
            Headers own = headers == null ? new RecordHeaders() : headers;
            outgoing.getHeaders().forEach(own::add);
            headers = own;
        }
        return headers;
    }
}
