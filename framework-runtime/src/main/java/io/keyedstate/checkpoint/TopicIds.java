package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

/**
 * Reads the ids of a channel's topics (the consumer API has none), and the offsets its partitions
 * start and end at (off the polling thread, which a restore must not hold), through an admin
 * client made from the channel consumer's configuration, created when first needed. Ids that cannot be read
 * (a timeout, no authorization) are not fatal: checkpoints then record none, and restores check
 * offsets only.
 */
final class TopicIds implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicIds.class);
    /** The longest a describe call may hold a restore: ids are worth a wait, not a long one. */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final String channel;
    private final Supplier<Map<String, ?>> consumerConfig;
    private Admin admin;
    private boolean closed;

    TopicIds(String channel, Supplier<Map<String, ?>> consumerConfig) {
        this.channel = channel;
        this.consumerConfig = consumerConfig;
    }

    /**
     * The ids of {@code topics} the broker knows, by topic, waiting until {@code deadlineNanos}
     * ({@link System#nanoTime()}) and at most {@link #MAX_WAIT}; none (and one WARN) if they
     * cannot be read.
     */
    Map<String, String> read(Collection<String> topics, long deadlineNanos) {
        if (topics.isEmpty()) {
            return Map.of();
        }
        long waitNanos = Math.max(1, Math.min(deadlineNanos - System.nanoTime(), MAX_WAIT.toNanos()));
        try {
            Admin admin = admin();
            if (admin == null) {
                return Map.of();
            }
            int timeoutMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos));
            Map<String, TopicDescription> described = admin
                    .describeTopics(Set.copyOf(topics), new DescribeTopicsOptions().timeoutMs(timeoutMs))
                    .allTopicNames().get(waitNanos, TimeUnit.NANOSECONDS);
            Map<String, String> ids = new TreeMap<>();
            described.forEach((topic, description) -> {
                Uuid id = description.topicId();
                if (id != null && !Uuid.ZERO_UUID.equals(id)) {
                    ids.put(topic, id.toString());
                }
            });
            return ids;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warnf("Could not read the topic ids of %s for channel '%s' (%s: %s): its checkpoints record none, and"
                    + " a topic deleted and created again is told from a truncated log by its offsets only", topics,
                    channel, cause.getClass().getSimpleName(), cause.getMessage());
            return Map.of();
        }
    }

    /**
     * The first ({@code end} false) or next ({@code end} true) offset of each partition, as the
     * channel's consumer sees it (its isolation level), waiting until {@code deadlineNanos}.
     *
     * @throws IllegalStateException if they cannot be read by then
     */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, boolean end, long deadlineNanos) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        long waitNanos = Math.max(1, deadlineNanos - System.nanoTime());
        Map<String, ?> config = consumerConfig.get();
        IsolationLevel isolation = "read_committed".equals(String.valueOf(config.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)))
                ? IsolationLevel.READ_COMMITTED
                : IsolationLevel.READ_UNCOMMITTED;
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        partitions.forEach(partition -> wanted.put(partition, end ? OffsetSpec.latest() : OffsetSpec.earliest()));
        try {
            Admin admin = admin();
            if (admin == null) {
                throw new IllegalStateException("the application is stopping");
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> listed = admin
                    .listOffsets(wanted, new ListOffsetsOptions(isolation)
                            .timeoutMs((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(waitNanos)))))
                    .all().get(waitNanos, TimeUnit.NANOSECONDS);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            listed.forEach((partition, info) -> offsets.put(partition, info.offset()));
            return offsets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + partitions, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("could not read the " + (end ? "end" : "start") + " offsets of " + partitions
                    + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", cause);
        }
    }

    /**
     * What of the consumer's configuration an admin client accepts: connection and security, not
     * the group's or the deserializers'. Its own client id, so that its metrics stand apart.
     */
    static Map<String, Object> adminConfig(Map<String, ?> consumer) {
        Set<String> accepted = AdminClientConfig.configNames();
        Map<String, Object> config = new HashMap<>();
        consumer.forEach((name, value) -> {
            if (value != null && accepted.contains(name)) {
                config.put(name, value);
            }
        });
        Object clientId = consumer.get(CommonClientConfigs.CLIENT_ID_CONFIG);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, (clientId == null ? "keyed-state" : clientId) + "-topic-ids");
        return config;
    }

    /** The admin client, made when first needed; null once closed. Thread-safe: restores of several shards share it. */
    private synchronized Admin admin() {
        if (admin == null && !closed) {
            admin = Admin.create(adminConfig(consumerConfig.get()));
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ZERO); // nothing it does is worth waiting for at shutdown
            admin = null;
        }
    }
}
