package io.keyedstate.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end latency of one contender at a fixed input rate, well below what it can take: the
 * driver sends records at {@code rate} per second to the contender's empty input topic and reads
 * its output topic. Every contender outputs the key's new count per input, so the output
 * {@code (key, n)} answers the n-th input of that key, whose send time the driver noted: the
 * latency is from that send to the driver reading the output, through the contender's consume,
 * state, produce and the broker. The run starts once the contender answers a probe record (it is
 * up and assigned its partitions); outputs of the first third of the run (JIT) are left out.
 */
final class FixedRateLatency {

    /** The key of the probe records, apart from the measured keys. */
    private static final String PROBE = "latency-probe";

    private FixedRateLatency() {
    }

    /** Sorted latencies in nanoseconds of the timed outputs; the contender must be started already. */
    static long[] measure(Process contender, String bootstrap, String input, String output, int partitions, long rate,
            int seconds, int keys) throws Exception {
        long records = rate * seconds;
        Map<String, Long> sentAt = new ConcurrentHashMap<>((int) (records * 2));
        long[] latencies = new long[(int) records];
        AtomicInteger timed = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(1);
        AtomicLong timedFrom = new AtomicLong(Long.MAX_VALUE);
        Thread reader = new Thread(() -> read(bootstrap, output, partitions, records, sentAt, timedFrom, latencies, timed,
                received, answered), "latency-reader");
        reader.setDaemon(true);
        reader.start();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // each record leaves when it is due
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        int[] counts = new int[keys];
        SplittableRandom random = new SplittableRandom(2);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            awaitAnswer(contender, producer, input, answered);
            long start = System.nanoTime();
            timedFrom.set(start + TimeUnit.SECONDS.toNanos(seconds) / 3);
            for (long i = 0; i < records; i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int key = random.nextInt(keys);
                String name = "user-" + key;
                sentAt.put(name + "#" + ++counts[key], System.nanoTime()); // before the send: its output cannot come first
                producer.send(new ProducerRecord<>(input, name, "click"));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (received.get() < records) {
            if (!contender.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + received.get() + " of " + records + " outputs came"
                        + (contender.isAlive() ? " within 2 minutes of the last input" : ": the contender exited"));
            }
            Thread.sleep(50);
        }
        long[] result = Arrays.copyOf(latencies, timed.get());
        Arrays.sort(result);
        return result;
    }

    /**
     * Sends a probe record every 100 ms until its output comes back: the clock starts once the
     * contender has started, joined its group and been assigned its partitions, so that its
     * start-up backlog is not measured as latency.
     */
    private static void awaitAnswer(Process contender, KafkaProducer<String, String> producer, String input,
            CountDownLatch answered) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        do {
            if (!contender.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("The contender did not answer a probe record within 2 minutes"
                        + (contender.isAlive() ? "" : ": it exited"));
            }
            producer.send(new ProducerRecord<>(input, PROBE, "probe"));
        } while (!answered.await(100, TimeUnit.MILLISECONDS));
    }

    private static void read(String bootstrap, String output, int partitions, long records, Map<String, Long> sentAt,
            AtomicLong timedFrom, long[] latencies, AtomicInteger timed, AtomicInteger received, CountDownLatch answered) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> assigned = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(partition -> new TopicPartition(output, partition)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            while (received.get() < records) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(10))) {
                    long now = System.nanoTime();
                    if (PROBE.equals(record.key())) {
                        answered.countDown();
                        continue;
                    }
                    Long sent = sentAt.get(record.key() + "#" + record.value());
                    received.incrementAndGet();
                    if (sent != null && sent >= timedFrom.get()) {
                        latencies[timed.getAndIncrement()] = now - sent;
                    }
                }
            }
        }
    }

    static double percentileMillis(long[] sorted, double percentile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * percentile))] / 1e6;
    }
}
