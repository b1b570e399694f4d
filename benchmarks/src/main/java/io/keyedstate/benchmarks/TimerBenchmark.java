package io.keyedstate.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.keyedstate.TimeDomain;
import io.keyedstate.Timers;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.DueTimer;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.TimerQueue;

/**
 * Timers of one shard around {@code pending} pending timers (one per key), per backend: how many
 * per second it registers (new keys' timers, at the back of the time order), moves (a key's timer
 * deleted and registered later, what a session window does at every click) and fires (due timers
 * taken from the front, as a timer round does, without the callbacks). Each round runs the three
 * phases of {@code ops} operations on each backend, the order of the backends alternating; the
 * pending count ends each round where it started. Prints a Markdown table.
 * <p>
 * {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.keyedstate.benchmarks.TimerBenchmark [pending] [ops] [rounds]}
 */
public final class TimerBenchmark {

    private static final StateDescriptor TIMERS = new StateDescriptor(0, "bench.Sessions", "timers", "timers",
            StateKind.TIMERS, 0, "java.lang.Long", "");
    private static final int FIRE_BATCH = 1_000;

    private final String kind;
    private final StateBackend backend;
    private final Timers timers;
    private final TimerQueue queue;
    /** Per key index, the time of its pending timer, or -1. */
    private long[] timeOf;
    private int keys;
    private long nextTime;
    private final SplittableRandom random = new SplittableRandom(42);

    private TimerBenchmark(String kind, int pending) {
        this.kind = kind;
        this.backend = BenchmarkBackends.create(kind, List.of(TIMERS));
        this.timers = (Timers) backend.handle(TIMERS);
        this.queue = backend.shard(0).timers();
        this.timeOf = new long[pending * 2];
        Arrays.fill(timeOf, -1);
        register(pending);
    }

    public static void main(String[] args) {
        int pending = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<TimerBenchmark> benches = List.of(new TimerBenchmark("heap", pending), new TimerBenchmark("rocksdb", pending));
        System.out.printf("%,d pending timers, %,d operations per phase%n%n", pending, ops);
        System.out.println("| round | backend | registered/s | moved/s | fired/s |");
        System.out.println("|---:|---|---:|---:|---:|");
        List<double[]> heap = new ArrayList<>();
        List<double[]> rocksdb = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<TimerBenchmark> order = round % 2 == 1 ? benches : List.of(benches.get(1), benches.get(0));
            for (TimerBenchmark bench : order) {
                double[] rates = bench.round(ops);
                (bench.kind.equals("heap") ? heap : rocksdb).add(rates);
                System.out.printf("| %d | %s | %,.0f | %,.0f | %,.0f |%n", round, bench.kind, rates[0], rates[1], rates[2]);
            }
        }
        double[] heapMedian = median(heap);
        double[] rocksdbMedian = median(rocksdb);
        System.out.printf("| median | heap | %,.0f | %,.0f | %,.0f |%n", heapMedian[0], heapMedian[1], heapMedian[2]);
        System.out.printf("| median | rocksdb | %,.0f | %,.0f | %,.0f |%n", rocksdbMedian[0], rocksdbMedian[1],
                rocksdbMedian[2]);
        System.out.printf("| | heap / rocksdb | %.2fx | %.2fx | %.2fx |%n", heapMedian[0] / rocksdbMedian[0],
                heapMedian[1] / rocksdbMedian[1], heapMedian[2] / rocksdbMedian[2]);
        benches.forEach(bench -> bench.backend.close());
    }

    /** Registered, moved and fired per second, in one round of {@code ops} each; pending ends where it began. */
    private double[] round(int ops) {
        long pendingBefore = queue.size();
        long started = System.nanoTime();
        register(ops);
        long registered = System.nanoTime();
        move(ops);
        long moved = System.nanoTime();
        fire(ops);
        long fired = System.nanoTime();
        if (queue.size() != pendingBefore) {
            throw new IllegalStateException(kind + ": " + queue.size() + " pending after the round, not " + pendingBefore);
        }
        return new double[] { ops * 1e9 / (registered - started), ops * 1e9 / (moved - registered),
                ops * 1e9 / (fired - moved) };
    }

    private void register(int count) {
        if (keys + count > timeOf.length) {
            int from = timeOf.length;
            timeOf = Arrays.copyOf(timeOf, Math.max(timeOf.length * 2, keys + count));
            Arrays.fill(timeOf, from, timeOf.length, -1);
        }
        for (int i = 0; i < count; i++) {
            int key = keys++;
            long time = nextTime++;
            timeOf[key] = time;
            in(key, () -> timers.registerEventTimeTimer(time));
        }
    }

    private void move(int count) {
        for (int i = 0; i < count; i++) {
            int key;
            do {
                key = random.nextInt(keys);
            } while (timeOf[key] < 0);
            long from = timeOf[key];
            long to = nextTime++;
            timeOf[key] = to;
            in(key, () -> {
                timers.deleteEventTimeTimer(from);
                timers.registerEventTimeTimer(to);
            });
        }
    }

    private void fire(int count) {
        int fired = 0;
        while (fired < count) {
            List<DueTimer> due = queue.pollDue(TimeDomain.EVENT_TIME, Long.MAX_VALUE, Math.min(FIRE_BATCH, count - fired));
            for (DueTimer timer : due) {
                timeOf[Integer.parseInt(((String) timer.key()).substring(2))] = -1;
            }
            fired += due.size();
        }
    }

    private void in(int key, Runnable action) {
        CurrentShardKey.callWithin(new ShardKey(backend.shard(0), "k-" + key), () -> {
            action.run();
            return null;
        });
    }

    private static double[] median(List<double[]> rounds) {
        double[] median = new double[3];
        for (int i = 0; i < 3; i++) {
            int column = i;
            double[] sorted = rounds.stream().mapToDouble(rates -> rates[column]).sorted().toArray();
            median[i] = sorted[sorted.length / 2];
        }
        return median;
    }
}
