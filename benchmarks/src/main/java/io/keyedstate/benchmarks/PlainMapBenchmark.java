package io.keyedstate.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The ceiling for {@link KeyedStateBenchmark}: the same operations on plain hash maps. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PlainMapBenchmark {

    @Param("1000000")
    int keys;

    private String[] keyNames;
    private Map<String, Long> counts;
    private Map<String, Map<Integer, Long>> perHour;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void fill() {
        keyNames = new String[keys];
        counts = new HashMap<>();
        perHour = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "user-" + i;
            keyNames[i] = key;
            counts.put(key, 1L);
            perHour.computeIfAbsent(key, k -> new HashMap<>()).put(i % 24, 1L);
        }
        random = new SplittableRandom(7);
    }

    private String nextKey() {
        return keyNames[random.nextInt(keys)];
    }

    @Benchmark
    public Long valueReadModifyWrite() {
        return counts.merge(nextKey(), 1L, Long::sum);
    }

    @Benchmark
    public Long nestedMapPut() {
        int hour = random.nextInt(24);
        return perHour.computeIfAbsent(nextKey(), k -> new HashMap<>()).put(hour, (long) hour);
    }

    @Benchmark
    public Long nestedMapGet() {
        int hour = random.nextInt(24);
        Map<Integer, Long> map = perHour.get(nextKey());
        return map == null ? null : map.get(hour);
    }
}
