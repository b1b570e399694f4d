package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The words topic is deleted and created again (same name, same partitions) while the app is down.
 * Its checkpoints record the old topic's id, so on restart every partition starts empty with a
 * WARN naming the topic and both ids, and is read from the new topic's beginning: the counts are
 * those of the new topic's words only, exactly, not added to what the old topic counted. The new
 * topic holds more records than the old checkpoints' offsets before the app starts, so that the
 * offsets alone would not give the old checkpoints away.
 */
@QuarkusTest
class RecreatedTopicTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void aTopicCreatedAgainStartsEveryPartitionEmpty() throws Exception {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir); Admin admin = Admin.create(properties)) {
            Map<String, String> config = run.appConfig("heap", "only");
            config.put("mp.messaging.incoming.words.group.instance.id", "sample-" + run.id);
            String oldId = topicId(admin, run.wordsTopic);

            run.startProducing(100, 400);
            try (SampleAppProcess first = SampleAppProcess.start("first", config, run.logs)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> everyPartitionCheckpointed(run) || !first.isAlive());
                run.stopProducing();
                await().atMost(Duration.ofMinutes(3)).until(() -> run.committedToEnd(run.group, run.wordsTopic)
                        || !first.isAlive());
                assertThat(first.isAlive()).as("%s is running", first).isTrue();
                first.stop();
            }
            List<Path> checkpoints = run.checkpointsOf(0);
            CheckpointManifest last = CheckpointManifest.fromJson(Files.readAllBytes(
                    checkpoints.get(checkpoints.size() - 1).resolve(CheckpointManifest.NAME)));
            assertThat(last.topicIds()).as("topic ids of %s", last.id()).containsEntry(run.wordsTopic, oldId);

            Map<TopicPartition, Long> checkpointed = run.committedOffsets();
            String newId = recreate(admin, run.wordsTopic);
            assertThat(newId).isNotEqualTo(oldId);
            Map<TopicPartition, Long> countsMark = endOffsets(run, run.countsTopic);

            run.startProducing(100, 400);
            // Past the old checkpoints' offsets, so that they look valid by offsets alone.
            await().atMost(Duration.ofMinutes(3)).until(() -> endOffsets(run, run.wordsTopic).entrySet().stream()
                    .allMatch(end -> end.getValue() > checkpointed.getOrDefault(end.getKey(), 0L)));
            try (SampleAppProcess second = SampleAppProcess.start("second", config, run.logs)) {
                run.awaitNewCounts(500, Duration.ofMinutes(3), second);
                run.stopProducing();
                Map<String, Long> expected = new HashMap<>();
                run.readTopic(run.wordsTopic, record -> expected.merge(record.key(), 1L, Long::sum));
                assertThat(expected).isNotEmpty();
                awaitCountsSince(run, countsMark, expected, second);
                String recreated = "topic " + run.wordsTopic + " had id " + oldId + " and has id " + newId + " now";
                String log = second.log();
                assertThat(log.split(java.util.regex.Pattern.quote(recreated), -1)).as("WARNs naming %s", recreated)
                        .hasSize(WordCountRun.PARTITIONS + 1);
                assertThat(log).contains("WARN").contains("the state starts empty").doesNotContain("has checkpoints in");
            }
        }
    }

    private static boolean everyPartitionCheckpointed(WordCountRun run) throws Exception {
        for (int partition = 0; partition < WordCountRun.PARTITIONS; partition++) {
            if (run.checkpointsOf(partition).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static String topicId(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId().toString();
    }

    /** Deletes {@code topic}, waits until it is gone, creates it again alike; the new topic's id. */
    private static String recreate(Admin admin, String topic) throws Exception {
        admin.deleteTopics(List.of(topic)).all().get();
        await().atMost(Duration.ofMinutes(1)).until(() -> !admin.listTopics().names().get().contains(topic));
        // Until the broker has finished the deletion, creating the topic again fails: that is "not yet".
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
            admin.createTopics(List.of(new NewTopic(topic, WordCountRun.PARTITIONS, (short) 1))).all().get();
            return true;
        });
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> admin.describeTopics(List.of(topic))
                .allTopicNames().get().get(topic).partitions().stream().allMatch(partition -> partition.leader() != null));
        return topicId(admin, topic);
    }

    /**
     * Waits until the counts written after {@code mark} end, for every word, at its number of
     * occurrences in the words topic, and never went past it.
     */
    private static void awaitCountsSince(WordCountRun run, Map<TopicPartition, Long> mark, Map<String, Long> expected,
            SampleAppProcess app) {
        Map<String, Long> lastCounts = new HashMap<>();
        Map<String, Long> highest = new HashMap<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(app.isAlive()).as("%s is running", app).isTrue();
            lastCounts.clear();
            highest.clear();
            readSince(run, mark, record -> {
                long count = Long.parseLong(record.value());
                lastCounts.put(record.key(), count);
                highest.merge(record.key(), count, Math::max);
            });
            return lastCounts.equals(expected);
        });
        assertThat(highest).as("highest counts since the topic was created again").isEqualTo(expected);
    }

    private static void readSince(WordCountRun run, Map<TopicPartition, Long> mark,
            java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(run.consumerProperties("reader-" + UUID.randomUUID()))) {
            Set<TopicPartition> partitions = mark.keySet();
            consumer.assign(partitions);
            mark.forEach(consumer::seek);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(WordCountRun run, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < WordCountRun.PARTITIONS; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(run.consumerProperties("end-" + run.id))) {
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }
}
