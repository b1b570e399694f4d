package io.keyedstate.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.keyedstate.backend.LocalFiles;
import io.keyedstate.deployment.devservices.EmbeddedKafkaBroker;

/**
 * End to end on the embedded broker: the same topic (records over keys, 4 partitions) counted per
 * key by each contender, each in a JVM of its own with the same heap: this extension (heap and
 * RocksDB, checkpoints every 10 s to the filesystem), Kafka Streams ({@code groupByKey().count()},
 * in-memory and RocksDB stores, at-least-once) and a plain consumer loop (the ceiling); the
 * extension in other handler styles. A run times each contender in steady state, from the moment a
 * fifth of the input is done ({@code WARM} on its output, or a fifth of the outputs in their topic)
 * to the last record ({@code DONE}, or every output in its topic), and reads its process's CPU time
 * at both moments, so that start-up and JIT warm-up count for nobody; contenders take turns, in an
 * order that rotates every round. Prints the medians and the ratios as Markdown tables.
 * <p>
 * {@code java -cp benchmarks/target/benchmarks.jar io.keyedstate.benchmarks.EndToEndBenchmark [records] [keys] [rounds]},
 * from the project's root (it runs {@code benchmark-app/target/quarkus-app/quarkus-run.jar}).
 * {@code -Dbench.only=<contender>[;<contender>...]} runs only those contenders; {@code -Dbench.jvm-args="..."} adds options to
 * the contenders' JVMs (a profiler's, say). {@code -Dbench.output=true} measures the variant with
 * outputs: every contender also produces one record per input (the key's new count, as a decimal
 * string) to an output topic of its own, and is timed until all of them are in it.
 * {@code -Dbench.latency-rate=<records per second>} (with {@code -Dbench.latency-seconds}, 30 by
 * default) measures instead the latency from input to output at that fixed rate (see
 * {@link FixedRateLatency}), each contender on an empty topic of its own.
 */
public final class EndToEndBenchmark {

    private static final String TOPIC = "bench-input";
    /** The topic the benchmark app's channels read when their job is not measured: it stays empty. */
    private static final String IDLE = "bench-idle";
    /** With a rate, the benchmark measures latency at that fixed input rate instead of throughput. */
    private static final long LATENCY_RATE = Long.getLong("bench.latency-rate", 0);
    private static final int LATENCY_SECONDS = Integer.getInteger("bench.latency-seconds", 30);
    private static final boolean OUTPUT = Boolean.getBoolean("bench.output") || LATENCY_RATE > 0;
    private static final int PARTITIONS = 4;
    /** The first 1/WARM_UP of the input is left out of the timing: JIT warm-up. */
    static final int WARM_UP = 5;
    private static final List<String> JVM = List.of("-Xms1g", "-Xmx1g");

    /** A timed stretch of one contender's run: how many records, in how long, with how much CPU. */
    private record Sample(long records, double seconds, double cpuSeconds) {
    }

    /**
     * A contender on this extension: the channel of the benchmark app that reads the measured topic
     * (its other channels read an empty one), in the count-only variant and in the variant with
     * outputs (null where the contender has no job for it), and how the app runs.
     */
    private record Keyed(String countChannel, String outputChannel, String backend, boolean traced) {

        String channel(boolean output) {
            return output ? outputChannel : countChannel;
        }

        /** The Kafka channel the output job sends to: {@code words-x} sends to {@code counts-x}. */
        String outgoing() {
            return outputChannel == null ? "counts" : outputChannel.replaceFirst("^words", "counts");
        }
    }

    private static final Map<String, Keyed> KEYED = new LinkedHashMap<>();

    static {
        KEYED.put("keyed state, heap", new Keyed("input", "words", "heap", false));
        // With outputs, a traced handler keeps the per-record path: SmallRye's sink traces each output.
        KEYED.put("keyed state, heap, traced", new Keyed("input", "words-per-record", "heap", true));
        KEYED.put("keyed state, RocksDB", new Keyed("input", "words", "rocksdb", false));
        KEYED.put("keyed state, heap, blocking signature", new Keyed("input-blocking", "words-blocking", "heap", false));
        KEYED.put("keyed state, heap, per-record path", new Keyed("input-per-record", "words-per-record", "heap", false));
    }

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path appJar = Path.of("benchmark-app/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(appJar)) {
            throw new IllegalStateException(appJar.toAbsolutePath() + " is missing: run ./mvnw package -DskipTests"
                    + " -pl benchmarks -am from the project's root first");
        }
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        List<String> only = List.of(System.getProperty("bench.only", "").split(";"));
        List<String> contenders = new ArrayList<>(List.of("plain consumer", "Kafka Streams, in-memory",
                "Kafka Streams, RocksDB"));
        contenders.addAll(KEYED.keySet());
        for (String contender : contenders) {
            boolean applies = !KEYED.containsKey(contender) || KEYED.get(contender).channel(OUTPUT) != null;
            if (applies && (only.equals(List.of("")) || only.contains(contender))) {
                samples.put(contender, new ArrayList<>());
            }
        }
        Path work = Files.createTempDirectory("keyed-state-e2e-");
        Map<String, List<double[]>> latencies = new LinkedHashMap<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(OptionalInt.empty(), PARTITIONS)) {
            String bootstrap = broker.bootstrapServers();
            if (LATENCY_RATE > 0) {
                createTopic(bootstrap, IDLE);
            } else {
                produce(bootstrap, records, keys);
            }
            List<String> measured = new ArrayList<>(samples.keySet());
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < measured.size(); i++) {
                    String contender = measured.get((i + round) % measured.size());
                    String group = "bench-" + round + "-" + i;
                    String output = OUTPUT ? createTopic(bootstrap, "bench-output-" + round + "-" + i) : null;
                    if (LATENCY_RATE > 0) {
                        String input = createTopic(bootstrap, "bench-latency-input-" + round + "-" + i);
                        // No end of input to expect: the contender answers probe records too, and runs until stopped.
                        double[] percentiles = latency(command(contender, bootstrap, input, group, Long.MAX_VALUE,
                                appJar, work, output), bootstrap, input, output, keys);
                        latencies.computeIfAbsent(contender, c -> new ArrayList<>()).add(percentiles);
                        System.err.printf("round %d, %s: p50 %.1f ms, p99 %.1f ms%n", round + 1, contender,
                                percentiles[0], percentiles[1]);
                        continue;
                    }
                    Sample sample = run(command(contender, bootstrap, TOPIC, group, records, appJar, work, output),
                            bootstrap, output, records);
                    samples.get(contender).add(sample);
                    System.err.printf("round %d, %s: %.1f s, %.1f CPU-s%n", round + 1, contender, sample.seconds(),
                            sample.cpuSeconds());
                }
            }
        } finally {
            LocalFiles.deleteRecursively(work);
        }
        if (LATENCY_RATE > 0) {
            printLatencies(latencies, keys, rounds);
        } else {
            print(samples, records, keys, rounds);
        }
    }

    /** p50 and p99 in milliseconds of one contender at the fixed rate. */
    private static double[] latency(List<String> command, String bootstrap, String input, String output, int keys)
            throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long[] sorted = FixedRateLatency.measure(process, bootstrap, input, output, PARTITIONS, LATENCY_RATE,
                    LATENCY_SECONDS, keys);
            return new double[] { FixedRateLatency.percentileMillis(sorted, 0.5),
                    FixedRateLatency.percentileMillis(sorted, 0.99) };
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static void printLatencies(Map<String, List<double[]>> latencies, int keys, int rounds) {
        System.out.printf("%nLatency from input to output at %,d records/s over %,d keys for %d s (the first third left"
                + " out); median of %d rounds%n%n", LATENCY_RATE, keys, LATENCY_SECONDS, rounds);
        System.out.println("| contender | p50 ms | p99 ms |");
        System.out.println("|---|---:|---:|");
        latencies.forEach((contender, runs) -> System.out.printf("| %s | %.1f | %.1f |%n", contender,
                median(runs.stream().mapToDouble(r -> r[0]).toArray()), median(runs.stream().mapToDouble(r -> r[1]).toArray())));
    }

    private static String createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        return topic;
    }

    private static void produce(String bootstrap, long records, int keys) throws Exception {
        createTopic(bootstrap, TOPIC);
        createTopic(bootstrap, IDLE);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        SplittableRandom random = new SplittableRandom(1);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "user-" + random.nextInt(keys), "click"));
            }
        }
    }

    private static List<String> command(String contender, String bootstrap, String input, String group, long records,
            Path appJar, Path work, String output) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM);
        String extra = System.getProperty("bench.jvm-args", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        String classpath = System.getProperty("java.class.path");
        switch (contender) {
            case "plain consumer" -> command.addAll(List.of("-cp", classpath, PlainConsumerCount.class.getName(), bootstrap,
                    input, group, Long.toString(records)));
            case "Kafka Streams, in-memory", "Kafka Streams, RocksDB" -> command.addAll(List.of("-cp", classpath,
                    KafkaStreamsCount.class.getName(), bootstrap, input, group, Long.toString(records),
                    contender.endsWith("in-memory") ? "memory" : "rocksdb"));
            default -> {
                Keyed keyed = KEYED.get(contender);
                String channel = keyed.channel(output != null);
                command.addAll(List.of("-Dkafka.bootstrap.servers=" + bootstrap,
                        "-Dbench.topic." + channel + "=" + input,
                        "-Dbench.counts-topic=" + (output == null ? IDLE + "-counts" : output),
                        "-Dbench.group=" + group, "-Dbench.expected=" + records,
                        "-Dquarkus.keyed-state.backend=" + keyed.backend(),
                        // SmallRye's per-record tracing, which keyed channels and their Kafka outputs have off
                        // without a tracer.
                        "-Dmp.messaging.incoming." + channel + ".tracing-enabled=" + keyed.traced(),
                        "-Dmp.messaging.outgoing." + keyed.outgoing() + ".tracing-enabled=" + keyed.traced(),
                        "-Dquarkus.keyed-state.checkpoint.filesystem.path=" + work.resolve(group),
                        "-Dquarkus.keyed-state.rocksdb.dir=" + work.resolve(group + "-rocksdb"),
                        "-Dquarkus.http.port=0", "-jar", appJar.toString()));
            }
        }
        if (output != null && !contender.startsWith("keyed state")) {
            command.add(output);
        }
        return command;
    }

    /**
     * Runs one contender, sampling its CPU time when it prints WARM and when it is done: when it
     * prints DONE, or with {@code output}, when that topic holds {@code records} records.
     */
    private static Sample run(List<String> command, String bootstrap, String output, long records)
            throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // At WARM and DONE, sampled on the reading thread: a contender may exit right after printing DONE.
        java.util.concurrent.CompletableFuture<long[]> warm = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<long[]> done = new java.util.concurrent.CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line; (line = out.readLine()) != null;) {
                    if (line.startsWith("WARM")) {
                        warm.complete(new long[] { System.nanoTime(), cpu(process).toNanos() });
                    } else if (line.startsWith("DONE")) {
                        done.complete(new long[] { System.nanoTime(), cpu(process).toNanos() });
                    } else if (!line.startsWith("FIRST") && log.length() < 20_000) {
                        log.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process was stopped
            }
            IllegalStateException exited = new IllegalStateException("The contender exited:\n" + log);
            warm.completeExceptionally(exited);
            done.completeExceptionally(exited);
        });
        reader.setDaemon(true);
        reader.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            if (output == null) {
                long[] start = warm.get();
                long[] end = done.get();
                return new Sample(records - records / WARM_UP, (end[0] - start[0]) / 1e9, (end[1] - start[1]) / 1e9);
            }
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new org.apache.kafka.common.TopicPartition(output, partition),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long startNanos = 0;
            long startCpu = 0;
            long startOutputs = -1;
            for (long outputs = 0; outputs < records;) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The contender exited:\n" + log);
                }
                Thread.sleep(20);
                outputs = admin.listOffsets(latest).all().get().values().stream().mapToLong(info -> info.offset()).sum();
                if (startOutputs < 0 && outputs >= records / WARM_UP) {
                    startNanos = System.nanoTime();
                    startCpu = cpu(process).toNanos();
                    startOutputs = outputs;
                }
            }
            return new Sample(records - startOutputs, (System.nanoTime() - startNanos) / 1e9,
                    (cpu(process).toNanos() - startCpu) / 1e9);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static Duration cpu(Process process) {
        return process.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("This OS does not report a process's CPU time"));
    }

    private static void print(Map<String, List<Sample>> samples, long records, int keys, int rounds) {
        System.out.printf("%n%,d records over %,d keys, %d partitions, %s; median of %d rounds%n%n", records, keys,
                PARTITIONS, OUTPUT ? "one output per input" : "no output", rounds);
        System.out.println("| contender | records/s | records per CPU-second | CPU cores used |");
        System.out.println("|---|---:|---:|---:|");
        Map<String, double[]> medians = new LinkedHashMap<>();
        samples.forEach((contender, runs) -> {
            double rate = median(runs.stream().mapToDouble(s -> s.records() / s.seconds()).toArray());
            double perCpu = median(runs.stream().mapToDouble(s -> s.records() / s.cpuSeconds()).toArray());
            double cores = median(runs.stream().mapToDouble(s -> s.cpuSeconds() / s.seconds()).toArray());
            medians.put(contender, new double[] { rate, perCpu });
            System.out.printf("| %s | %,.0f | %,.0f | %.2f |%n", contender, rate, perCpu, cores);
        });
        System.out.println();
        System.out.println("Ratios, records per CPU-second (records/s in brackets), row over column:");
        System.out.println();
        List<String> names = new ArrayList<>(medians.keySet());
        StringBuilder header = new StringBuilder("| over |");
        StringBuilder rule = new StringBuilder("|---|");
        names.forEach(name -> {
            header.append(' ').append(name).append(" |");
            rule.append("---:|");
        });
        System.out.println(header);
        System.out.println(rule);
        for (String row : names) {
            StringBuilder line = new StringBuilder("| " + row + " |");
            for (String column : names) {
                double[] r = medians.get(row);
                double[] c = medians.get(column);
                line.append(String.format(" %.2f (%.2f) |", r[1] / c[1], r[0] / c[0]));
            }
            System.out.println(line);
        }
    }

    private static double median(double[] values) {
        java.util.Arrays.sort(values);
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
