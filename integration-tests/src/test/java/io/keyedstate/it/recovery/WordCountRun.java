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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
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
 * and checkpoint folder; input that flows at a steady rate until the test stops it; a reader of
 * the counts; and a monitor that checks, all along, that the group's committed offsets are never
 * ahead of the newest durable checkpoint manifest.
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
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Flow> flows = new CopyOnWriteArrayList<>();
    /** Flows still writing: words and clicks may flow at once. */
    private final AtomicInteger producing = new AtomicInteger();
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
        // new topics' metadata has reached the broker's cache, describing them fails: that is "not yet".
        await().atMost(Duration.ofMinutes(1)).ignoreExceptionsMatching(e -> e.getCause()
                instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException).until(() -> admin.describeTopics(topics)
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

    /**
     * The configuration of an instance on {@code s3} that the test freezes: every S3 call fails
     * fast (one attempt, 2 s) and a restore waits for the store for {@code restoreTimeout}.
     */
    Map<String, String> appConfigOnFreezingS3(io.keyedstate.testing.S3ProxyServer s3, String restoreTimeout) {
        Map<String, String> config = appConfigOnS3("rocksdb", "only", s3);
        config.put("quarkus.keyed-state.checkpoint.s3.request-timeout", "2s");
        config.put("quarkus.keyed-state.checkpoint.s3.attempts", "1");
        config.put("quarkus.keyed-state.checkpoint.restore-timeout", restoreTimeout);
        return config;
    }

    /**
     * Runs an instance until every partition of the words topic has a checkpoint (offsets are
     * committed only after a manifest), then kills it: the next instance has a checkpoint of each
     * partition to restore.
     */
    void checkpointEveryPartitionThenKill(Map<String, String> config) throws Exception {
        try (SampleAppProcess first = SampleAppProcess.start("first", config, logs)) {
            awaitNewCommits(group, wordsTopic, 1_000, Duration.ofMinutes(3), first);
            await().atMost(Duration.ofMinutes(3)).until(() -> committedOffsets().keySet().stream()
                    .filter(partition -> partition.topic().equals(wordsTopic)).count() == PARTITIONS);
            first.kill();
        }
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
        // A one-second interval on a busy machine: readiness is about failure streaks here, not slow shards.
        config.put("quarkus.keyed-state.checkpoint.unhealthy-after-intervals", "600");
        config.put("quarkus.keyed-state.rocksdb.dir", logs.resolve("rocksdb-" + instance).toString());
        config.put("quarkus.http.port", "0");
        config.put("quarkus.log.category.\"io.keyedstate\".level", "DEBUG");
        return config;
    }

    /**
     * Starts writing words over {@code keys} keys at about {@code perSecond}, in the background,
     * until {@link #stopProducing()}: input never runs out while the test still needs it, however
     * long the apps take to start.
     */
    void startProducing(int keys, int perSecond) {
        Random random = new Random(42);
        startFlow("words", perSecond, i -> {
            String word = "word-" + random.nextInt(keys);
            return new ProducerRecord<>(wordsTopic, word, word);
        });
    }

    /**
     * Starts writing the records {@code record} makes (given their sequence number) at about
     * {@code perSecond}, in the background, until {@link #stopProducing()}.
     */
    void startFlow(String name, int perSecond, LongFunction<ProducerRecord<String, String>> record) {
        if (closed.get()) {
            throw new IllegalStateException("the run is closed");
        }
        AtomicBoolean stop = new AtomicBoolean();
        producing.incrementAndGet();
        Thread thread = daemon("producer-" + name + "-" + id, () -> {
            try {
                Properties properties = new Properties();
                properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                // Retries may duplicate a record: the expected results are read back from the topic, not kept here.
                properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
                long period = 1_000_000_000L / perSecond;
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
                    long next = System.nanoTime();
                    for (long i = 0; !stop.get() && !closed.get(); i++) {
                        producer.send(record.apply(i));
                        produced.incrementAndGet();
                        next += period;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } else if (wait < -1_000_000_000L) {
                            next = System.nanoTime(); // starved for a while: go on at the rate, no burst to catch up
                        }
                    }
                    producer.flush(); // every record sent is in the topic before the flow counts as ended
                }
            } finally {
                producing.decrementAndGet();
            }
        });
        flows.add(new Flow(stop, thread));
    }

    /**
     * Stops every flow of input and waits until each has ended, its records flushed to the topics.
     * Only then are the topics the whole input, to read the expected results from.
     */
    void stopProducing() throws InterruptedException {
        for (Flow flow : flows) {
            flow.stop().set(true);
        }
        for (Flow flow : flows) {
            flow.thread().join(Duration.ofMinutes(2).toMillis());
            assertThat(flow.thread().isAlive()).as("%s still runs 2 minutes after it was told to stop", flow.thread()
                    .getName()).isFalse();
        }
        flows.clear();
        assertThat(violations).as("failures while producing").noneMatch(violation -> violation.startsWith("producer-"));
    }

    private record Flow(AtomicBoolean stop, Thread thread) {
    }

    long produced() {
        return produced.get();
    }

    boolean producing() {
        return producing.get() > 0;
    }

    /**
     * Once the input is stopped ({@link #stopProducing()}), waits until every word's latest count is
     * its exact number of occurrences in the words topic, then checks all counts.
     */
    void awaitExactCounts(Duration timeout) {
        if (producing()) {
            throw new IllegalStateException("Stop the input (stopProducing) first: the expected counts are read from"
                    + " the words topic once, and must be the whole input");
        }
        countWordsInTopic();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> expected.entrySet()
                    .stream().allMatch(entry -> entry.getValue().equals(last.get(entry.getKey()))));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> wrong = expected.entrySet().stream()
                    .filter(entry -> !entry.getValue().equals(last.get(entry.getKey())))
                    .map(entry -> entry.getKey() + ": expected " + entry.getValue() + ", last " + last.get(entry.getKey())
                            + ", highest " + highest.get(entry.getKey()))
                    .sorted().toList();
            Path trail = writeTrailOfWrongCounts(wrong.stream().map(line -> line.substring(0, line.indexOf(':')))
                    .limit(5).toList());
            throw new AssertionError(wrong.size() + " of " + expected.size() + " words have a wrong count after " + timeout
                    + " (produced " + produced + ", counts read " + outputs + "): " + wrong.subList(0, Math.min(10,
                            wrong.size())) + "; offsets violations: " + violations + "; each input and count of the first"
                    + " wrong words, with times to match the instances' logs: " + trail, e);
        }
        expected.forEach((word, count) -> assertThat(highest.get(word)).as("highest count of %s", word).isEqualTo(count));
        assertThat(highest.keySet()).isEqualTo(expected.keySet());
        assertThat(violations).as("committed offsets ahead of the newest durable checkpoint").isEmpty();
    }

    /**
     * Waits until the running apps have written {@code records} more counts than the counts topic
     * held when this was called: progress of the apps alive now, whatever a killed one left behind
     * and however far the reader lags. Fails at once if one of {@code apps} dies.
     */
    void awaitNewCounts(long records, Duration timeout, SampleAppProcess... apps) throws Exception {
        awaitGrowth("counts written", () -> endOffsets(countsTopic), records, timeout, apps);
    }

    /**
     * Waits until {@code group} has committed {@code records} more records of {@code topic} than it
     * had when this was called: the running apps restored, processed and checkpointed.
     */
    void awaitNewCommits(String group, String topic, long records, Duration timeout, SampleAppProcess... apps)
            throws Exception {
        awaitGrowth("records of " + topic + " committed by " + group, () -> committed(group, topic), records, timeout, apps);
    }

    private void awaitGrowth(String what, java.util.concurrent.Callable<Long> measure, long records, Duration timeout,
            SampleAppProcess... apps) throws Exception {
        long mark = measure.call();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> measure.call() >= mark + records
                    || java.util.Arrays.stream(apps).anyMatch(app -> !app.isAlive()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("No progress within " + timeout + ": " + what + " went from " + mark + " to "
                    + measure.call() + ", expected " + records + " more (apps " + java.util.Arrays.toString(apps) + ")", e);
        }
        for (SampleAppProcess app : apps) {
            assertThat(app.isAlive()).as("%s is running", app).isTrue();
        }
    }

    /** The number of records in {@code topic}: the sum of its partitions' end offsets. */
    long endOffsets(String topic) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** The sum of the offsets {@code group} has committed on {@code topic}. */
    long committed(String group, String topic) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
                .mapToLong(entry -> entry.getValue().offset()).sum();
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

    /**
     * For each of {@code words}, every occurrence in the input and every count written for it, in
     * time order: where a count goes wrong, the time of the first wrong one points into the logs.
     */
    private Path writeTrailOfWrongCounts(List<String> words) {
        List<String> lines = new ArrayList<>();
        java.util.function.BiConsumer<String, ConsumerRecord<String, String>> add = (what, record) -> {
            if (words.contains(record.key())) {
                lines.add(java.time.Instant.ofEpochMilli(record.timestamp()) + " " + record.key() + " " + what + " "
                        + record.topic() + "-" + record.partition() + "@" + record.offset());
            }
        };
        readTopic(wordsTopic, record -> add.accept("input", record));
        readTopic(countsTopic, record -> add.accept("count " + record.value(), record));
        lines.sort(null);
        Path trail = logs.resolve("wrong-counts.txt");
        try {
            Files.createDirectories(logs);
            Files.write(trail, lines);
        } catch (IOException e) {
            return Path.of("(not written: " + e.getMessage() + ")");
        }
        return trail;
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

    /** The offsets the run's consumer group has committed, per input partition. */
    Map<TopicPartition, Long> committedOffsets() throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((partition, offset) -> {
            if (offset != null) {
                offsets.put(partition, offset.offset());
            }
        });
        return offsets;
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
                int end = start < 0 ? -1 : json.indexOf('}', start);
                if (end < 0) {
                    continue; // a manifest a test garbled (as it may, while this walks): no durable offsets
                }
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

    Thread daemon(String name, Task task) {
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
        return thread;
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
