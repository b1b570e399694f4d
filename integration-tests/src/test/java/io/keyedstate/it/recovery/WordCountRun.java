package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One run of the sample's word count against the shared broker: its own topics, consumer group
 * and checkpoint folder; a producer of words at a steady rate; a reader of the counts; and a
 * monitor that checks, all along, that the group's committed offsets are never ahead of the
 * newest durable checkpoint manifest.
 */
final class WordCountRun implements AutoCloseable {

    static final int PARTITIONS = 4;
    private static final Pattern OFFSET = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\\d+)");

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String wordsTopic = "words-" + id;
    final String countsTopic = "counts-" + id;
    final String clicksTopic = "clicks-" + id;
    final String sessionsTopic = "sessions-" + id;
    final String group = "word-count-" + id;
    final Path checkpoints;
    final Path logs;
    final String bootstrapServers;
    private final Admin admin;
    private final Map<String, Long> expected = new ConcurrentHashMap<>();
    private final Map<String, Long> highest = new ConcurrentHashMap<>();
    private final Map<String, Long> last = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong outputs = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    /** Producers still writing: words and clicks may flow at once. */
    private final java.util.concurrent.atomic.AtomicInteger producing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean offsetChecks = true;

    WordCountRun(String bootstrapServers, Path workDir) throws Exception {
        this.bootstrapServers = bootstrapServers;
        this.checkpoints = workDir.resolve("checkpoints-" + id);
        this.logs = workDir.resolve("logs-" + id);
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        this.admin = Admin.create(properties);
        List<String> topics = List.of(wordsTopic, countsTopic, clicksTopic, sessionsTopic);
        admin.createTopics(topics.stream().map(topic -> new NewTopic(topic, PARTITIONS, (short) 1)).toList()).all().get();
        // Writing before every partition has its leader makes the first sends fail and retry. Until the
        // new topics' metadata has spread, describing them fails with UnknownTopicOrPartitionException.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.describeTopics(topics)
                .allTopicNames().get().values().stream()
                .allMatch(topic -> topic.partitions().stream().allMatch(partition -> partition.leader() != null)));
        daemon("counts-reader-" + id, this::readCounts);
        daemon("offsets-monitor-" + id, this::monitorOffsets);
    }

    /** The configuration of one instance of the sample app in this run, checkpointing to S3. */
    Map<String, String> appConfigOnS3(String backend, String instance, io.keyedstate.testing.S3ProxyServer s3) {
        Map<String, String> config = appConfig(backend, instance);
        // The sample's own s3 profile, given the store through the variables it reads.
        config.put("quarkus.profile", "prod,s3");
        config.put("S3_ENDPOINT", s3.endpoint());
        config.put("S3_BUCKET", "checkpoints");
        config.put("S3_ACCESS_KEY", s3.accessKey());
        config.put("S3_SECRET_KEY", s3.secretKey());
        config.put("quarkus.keyed-state.checkpoint.s3.prefix", "run-" + id);
        offsetChecks = false; // the monitor reads manifests from a directory; S3 runs check the counts only
        return config;
    }

    /** The configuration of one instance of the sample app in this run. */
    Map<String, String> appConfig(String backend, String instance) {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers);
        config.put("app.words-topic", wordsTopic);
        config.put("app.counts-topic", countsTopic);
        config.put("app.generator.enabled", "false");
        config.put("app.progress.interval", "1h");
        config.put("mp.messaging.incoming.words.group.id", group);
        config.put("mp.messaging.incoming.words.session.timeout.ms", "6000");
        config.put("mp.messaging.incoming.words.heartbeat.interval.ms", "500");
        config.put("mp.messaging.incoming.payments.topic", "payments-" + id);
        config.put("mp.messaging.incoming.payments.group.id", "fraud-" + id);
        config.put("mp.messaging.incoming.payments.session.timeout.ms", "6000");
        config.put("mp.messaging.incoming.payments.heartbeat.interval.ms", "500");
        config.put("mp.messaging.outgoing.alerts.topic", "alerts-" + id);
        config.put("mp.messaging.incoming.clicks.topic", clicksTopic);
        config.put("mp.messaging.incoming.clicks.group.id", "sessions-" + id);
        config.put("mp.messaging.incoming.clicks.session.timeout.ms", "6000");
        config.put("mp.messaging.incoming.clicks.heartbeat.interval.ms", "500");
        config.put("mp.messaging.outgoing.sessions.topic", sessionsTopic);
        config.put("quarkus.keyed-state.backend", backend);
        config.put("quarkus.keyed-state.checkpoint.filesystem.path", checkpoints.toString());
        config.put("quarkus.keyed-state.checkpoint.interval", "1s");
        config.put("quarkus.keyed-state.checkpoint.timeout", "15s");
        config.put("quarkus.keyed-state.rocksdb.dir", logs.resolve("rocksdb-" + instance).toString());
        config.put("quarkus.http.port", "0");
        config.put("quarkus.log.category.\"io.keyedstate\".level", "DEBUG");
        return config;
    }

    /** Produces {@code total} words over {@code keys} keys at about {@code perSecond}, in the background. */
    void produce(int total, int keys, int perSecond) {
        Random random = new Random(42);
        produce(total, perSecond, i -> {
            String word = "word-" + random.nextInt(keys);
            return new ProducerRecord<>(wordsTopic, word, word);
        });
    }

    /** Produces the {@code total} records {@code record} makes at about {@code perSecond}, in the background. */
    void produce(int total, int perSecond, java.util.function.IntFunction<ProducerRecord<String, String>> record) {
        producing.incrementAndGet();
        daemon("producer-" + id, () -> {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            // Retries may duplicate a word: the expected counts are read back from the topic, not kept here.
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
            long started = System.nanoTime();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
                for (int i = 0; i < total && !closed.get(); i++) {
                    // What was really written is read back from the topic at the end, whatever retries did.
                    producer.send(record.apply(i));
                    produced.incrementAndGet();
                    long due = started + (long) (i + 1) * 1_000_000_000L / perSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                producer.flush();
            } finally {
                producing.decrementAndGet();
            }
        });
    }

    long produced() {
        return produced.get();
    }

    long outputs() {
        return outputs.get();
    }

    boolean producing() {
        return producing.get() > 0;
    }

    /** Waits until every word's latest count is its exact number of occurrences, then checks all counts. */
    void awaitExactCounts(Duration timeout) {
        await().atMost(timeout).until(() -> !producing());
        countWordsInTopic();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> !producing() && expected.entrySet()
                    .stream().allMatch(entry -> entry.getValue().equals(last.get(entry.getKey()))));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> wrong = expected.entrySet().stream()
                    .filter(entry -> !entry.getValue().equals(last.get(entry.getKey())))
                    .map(entry -> entry.getKey() + ": expected " + entry.getValue() + ", last " + last.get(entry.getKey())
                            + ", highest " + highest.get(entry.getKey()))
                    .sorted().toList();
            throw new AssertionError(wrong.size() + " of " + expected.size() + " words have a wrong count after " + timeout
                    + " (produced " + produced + ", counts read " + outputs + "): " + wrong.subList(0, Math.min(10,
                            wrong.size())) + "; offsets violations: " + violations, e);
        }
        expected.forEach((word, count) -> assertThat(highest.get(word)).as("highest count of %s", word).isEqualTo(count));
        assertThat(highest.keySet()).isEqualTo(expected.keySet());
        assertThat(violations).as("committed offsets ahead of the newest durable checkpoint").isEmpty();
    }

    /** While the test has the checkpoint folder moved away, what is on disk says nothing about durability. */
    void suspendOffsetChecks(boolean suspended) {
        offsetChecks = !suspended;
    }

    List<String> offsetViolations() {
        return violations;
    }

    /** The input as the broker holds it: every word and how often it occurs. */
    private void countWordsInTopic() {
        expected.clear();
        readTopic(wordsTopic, record -> expected.merge(record.key(), 1L, Long::sum));
    }

    /** Every record of {@code topic} as it is now, from the start, partition by partition in offset order. */
    void readTopic(String topic, java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("reader-" + UUID.randomUUID()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /** Whether {@code group} has committed every record of {@code topic}: processed, and checkpointed. */
    boolean committedToEnd(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        var ends = admin.listOffsets(latest).all().get();
        return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue().offset()));
    }

    boolean isClosed() {
        return closed.get();
    }

    Properties consumerProperties(String groupId) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return properties;
    }

    private void readCounts() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("reader-" + id))) {
            consumer.subscribe(List.of(countsTopic));
            while (!closed.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    long count = Long.parseLong(record.value());
                    highest.merge(record.key(), count, Math::max);
                    last.put(record.key(), count); // a key's counts are in one partition, in offset order
                    outputs.incrementAndGet();
                }
            }
        }
    }

    /**
     * Committed offsets first, manifests second: a manifest written in between only makes the
     * check more lenient, never wrongly strict.
     */
    private void monitorOffsets() throws Exception {
        while (!closed.get()) {
            if (!offsetChecks) {
                Thread.sleep(100);
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<String, Long> durable = newestManifestOffsets();
            if (!offsetChecks) {
                continue; // the checkpoint folder was moved away while it was read
            }
            committed.forEach((partition, offset) -> {
                if (offset == null) {
                    return;
                }
                Long manifest = durable.get(partition.toString());
                if (manifest == null || offset.offset() > manifest) {
                    violations.add(partition + " committed at " + offset.offset() + ", newest manifest: " + manifest);
                }
            });
            Thread.sleep(100);
        }
    }

    /**
     * Per input partition, the highest offset recorded by a complete checkpoint on disk. Retention
     * deletes folders while they are walked; such a walk is repeated, not trusted.
     */
    Map<String, Long> newestManifestOffsets() throws IOException {
        while (true) {
            try {
                return walkManifestOffsets();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                // walk again
            }
        }
    }

    private Map<String, Long> walkManifestOffsets() throws IOException {
        Map<String, Long> offsets = new HashMap<>();
        if (!Files.exists(checkpoints)) {
            return offsets;
        }
        try (Stream<Path> files = Files.walk(checkpoints)) {
            for (Path manifest : files.filter(path -> path.getFileName().toString().equals("_manifest")).toList()) {
                String json = Files.readString(manifest);
                int start = json.indexOf("\"offsets\"");
                int end = json.indexOf('}', start);
                Matcher matcher = OFFSET.matcher(json.substring(start, end));
                while (matcher.find()) {
                    offsets.merge(matcher.group(1), Long.parseLong(matcher.group(2)), Math::max);
                }
            }
        }
        return offsets;
    }

    /** The complete checkpoint folders of one input partition, newest last. */
    List<Path> checkpointsOf(int partition) throws IOException {
        while (true) {
            if (!Files.isDirectory(checkpoints)) {
                return List.of();
            }
            try (Stream<Path> files = Files.walk(checkpoints)) {
                return files.filter(path -> path.getFileName().toString().equals("_manifest"))
                        .map(Path::getParent)
                        .filter(folder -> folder.getParent().getFileName().toString().equals(wordsTopic + "-" + partition))
                        .sorted(java.util.Comparator.comparingLong(folder -> Long.parseLong(
                                folder.getFileName().toString().split("-")[1])))
                        .toList();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                // retention deleted a folder while it was walked: walk again
            }
        }
    }

    interface Task {
        void run() throws Exception;
    }

    void daemon(String name, Task task) {
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (!closed.get()) {
                    violations.add(name + " failed: " + e);
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
    }

    @Override
    public void close() throws InterruptedException {
        closed.set(true);
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        admin.close();
    }
}
