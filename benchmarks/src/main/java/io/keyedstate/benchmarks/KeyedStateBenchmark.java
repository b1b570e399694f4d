package io.keyedstate.benchmarks;

import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;


import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StateShard;

/**
 * Keyed state at {@code keys} record keys on each backend, each operation in its own key scope as a
 * handler sees it, next to the same work on a plain {@code HashMap} (the ceiling: no scoping, no
 * snapshot-friendly structure, no encoding).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KeyedStateBenchmark {

    private static final StateDescriptor COUNT = new StateDescriptor(0, "bench.Counter", "count", "count", StateKind.VALUE, 0, "java.lang.Long", "");
    private static final StateDescriptor PER_HOUR = new StateDescriptor(1, "bench.Counter", "perHour", "perHour", StateKind.MAP, 0, "java.lang.Long", "java.lang.Integer");

    @Param("1000000")
    int keys;

    @Param({ "heap", "rocksdb" })
    String backend;

    private StateBackend states;
    private StateShard shard;
    private ValueState<Long> count;
    private MapState<Integer, Long> perHour;
    private String[] keyNames;
    private SplittableRandom random;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void fill() {
        states = BenchmarkBackends.create(backend, List.of(COUNT, PER_HOUR));
        shard = states.shard(0);
        count = (ValueState<Long>) states.handle(COUNT);
        perHour = (MapState<Integer, Long>) states.handle(PER_HOUR);
        keyNames = new String[keys];
        for (int i = 0; i < keys; i++) {
            String key = "user-" + i;
            keyNames[i] = key;
            int hour = i % 24;
            CurrentShardKey.callWithin(new ShardKey(shard, key), () -> {
                count.set(1L);
                perHour.put(hour, 1L);
                return null;
            });
        }
        random = new SplittableRandom(7);
    }

    @TearDown(Level.Trial)
    public void close() {
        states.close();
    }

    private String nextKey() {
        return keyNames[random.nextInt(keys)];
    }

    @Benchmark
    public Long valueStateReadModifyWrite() {
        return CurrentShardKey.callWithin(new ShardKey(shard, nextKey()), () -> {
            long n = count.getOrDefault(0L) + 1;
            count.set(n);
            return n;
        });
    }


    @Benchmark
    public Long mapStatePut() {
        int hour = random.nextInt(24);
        return CurrentShardKey.callWithin(new ShardKey(shard, nextKey()), () -> {
            perHour.put(hour, (long) hour);
            return (long) hour;
        });
    }


    @Benchmark
    public Long mapStateGet() {
        int hour = random.nextInt(24);
        return CurrentShardKey.callWithin(new ShardKey(shard, nextKey()), () -> perHour.get(hour));
    }

}
