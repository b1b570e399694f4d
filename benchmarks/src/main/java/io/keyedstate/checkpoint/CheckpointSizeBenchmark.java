package io.keyedstate.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import io.keyedstate.ValueState;
import io.keyedstate.backend.LocalFiles;
import io.keyedstate.backend.ShardSnapshot;
import io.keyedstate.backend.StateBackend;
import io.keyedstate.benchmarks.BenchmarkBackends;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;

/**
 * Full against incremental checkpoints of one shard while its state grows to {@code maxKeys} record
 * keys, then holds there, with 1% of the keys updated between checkpoints; per backend, both kinds
 * taken back to back of the same state (alternating which goes first), through the uploader that
 * checkpoints use, into filesystem storage. Prints a Markdown table of bytes written and time
 * taken (snapshot, files, upload). In this package because the uploader is package-private.
 * <p>
 * {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.keyedstate.checkpoint.CheckpointSizeBenchmark [maxKeys]}
 */
public final class CheckpointSizeBenchmark {

    private static final StateDescriptor COUNT = new StateDescriptor(0, "bench.Counter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    private static final int GROWTH_CHECKPOINTS = 10;
    private static final int STEADY_CHECKPOINTS = 5;
    private static final long INLINE_THRESHOLD = 16 << 10;

    private final StateBackend backend;
    private final ValueState<Long> count;
    private final FilesystemCheckpointStorage storage;
    private final CheckpointUploader uploader;
    private final Path root;
    private Map<String, CheckpointManifest.FileEntry> confirmed = Map.of();

    @SuppressWarnings("unchecked")
    private CheckpointSizeBenchmark(String kind, ExecutorService uploads) throws IOException {
        this.backend = BenchmarkBackends.create(kind, List.of(COUNT));
        this.count = (ValueState<Long>) backend.handle(COUNT);
        this.root = Files.createTempDirectory("keyed-state-checkpoint-bench-");
        this.storage = new FilesystemCheckpointStorage(root);
        this.uploader = new CheckpointUploader(storage, uploads, INLINE_THRESHOLD);
    }

    public static void main(String[] args) throws Exception {
        int maxKeys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        ExecutorService uploads = Executors.newFixedThreadPool(4);
        CheckpointSizeBenchmark heap = new CheckpointSizeBenchmark("heap", uploads);
        CheckpointSizeBenchmark rocksdb = new CheckpointSizeBenchmark("rocksdb", uploads);
        System.out.println("| checkpoint | keys | heap full (bytes, ms) | heap incremental (bytes, ms) | heap incr/full bytes"
                + " | RocksDB full (bytes, ms) | RocksDB incremental (bytes, ms) | RocksDB incr/full bytes |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        SplittableRandom random = new SplittableRandom(42);
        int keys = 0;
        for (int n = 1; n <= GROWTH_CHECKPOINTS + STEADY_CHECKPOINTS; n++) {
            int grownTo = Math.min(maxKeys, (int) ((long) maxKeys * n / GROWTH_CHECKPOINTS));
            long seed = random.nextLong();
            for (CheckpointSizeBenchmark bench : List.of(heap, rocksdb)) {
                bench.update(keys, grownTo, new SplittableRandom(seed));
            }
            keys = grownTo;
            boolean fullFirst = n % 2 == 1;
            StringBuilder row = new StringBuilder("| " + n + " | " + String.format("%,d", keys) + " |");
            for (CheckpointSizeBenchmark bench : List.of(heap, rocksdb)) {
                Measured full = fullFirst ? bench.full(n) : null;
                Measured incremental = bench.incremental(n);
                if (full == null) {
                    full = bench.full(n);
                }
                row.append(' ').append(full).append(" | ").append(incremental).append(" | ")
                        .append(String.format("%.3f", (double) incremental.bytes() / full.bytes())).append(" |");
            }
            System.out.println(row);
        }
        uploads.shutdown();
        for (CheckpointSizeBenchmark bench : List.of(heap, rocksdb)) {
            bench.close();
        }
    }

    /** Adds keys {@code from} to {@code to - 1}, and updates 1% of the keys before {@code from}. */
    private void update(int from, int to, SplittableRandom random) {
        for (int i = 0; i < from / 100; i++) {
            String key = "user-" + random.nextInt(from);
            CurrentShardKey.callWithin(new ShardKey(backend.shard(0), key), () -> {
                count.set(count.getOrDefault(0L) + 1);
                return null;
            });
        }
        for (int i = from; i < to; i++) {
            String key = "user-" + i;
            CurrentShardKey.callWithin(new ShardKey(backend.shard(0), key), () -> {
                count.set(1L);
                return null;
            });
        }
    }

    private record Measured(long bytes, long millis) {
        @Override
        public String toString() {
            return String.format("%,d B, %,d ms", bytes, millis);
        }
    }

    /** A self-contained checkpoint, as with {@code incremental=false}. */
    private Measured full(int n) throws IOException {
        String folder = "words-0/full-" + n;
        Measured measured = take(folder, Set.of(), Map.of(), name -> false, false);
        storage.deleteAll(folder);
        return measured;
    }

    /** A checkpoint that builds on the last confirmed incremental one, as with {@code incremental=true}. */
    private Measured incremental(int n) throws IOException {
        return take("words-0/chk-" + n + "-g1", confirmed.keySet(), confirmed, null, true);
    }

    private Measured take(String folder, Set<String> reusable, Map<String, CheckpointManifest.FileEntry> previous,
            Predicate<String> shareable, boolean confirm) throws IOException {
        long started = System.nanoTime();
        try (ShardSnapshot snapshot = backend.snapshot(0, reusable)) {
            List<CheckpointManifest.FileEntry> files = new ArrayList<>(uploader.upload("words-0", folder,
                    folder.substring(folder.indexOf('/') + 1), snapshot.files(), previous,
                    shareable == null ? snapshot::isImmutable : shareable));
            snapshot.inherited().forEach(name -> files.add(previous.get(name)));
            long millis = (System.nanoTime() - started) / 1_000_000;
            long written = files.stream().filter(file -> previous.get(file.name()) != file)
                    .mapToLong(CheckpointManifest.FileEntry::size).sum();
            if (confirm) {
                snapshot.confirmed();
                Map<String, CheckpointManifest.FileEntry> next = new HashMap<>();
                files.stream().filter(CheckpointManifest.FileEntry::isReusable).forEach(file -> next.put(file.name(), file));
                confirmed = next;
            }
            return new Measured(written, millis);
        }
    }

    private void close() throws IOException {
        backend.close();
        storage.close();
        LocalFiles.deleteRecursively(root);
    }
}
