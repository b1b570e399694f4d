package io.keyedstate.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ValueState;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * Writes several times the memory cap of state into RocksDB, over four shards, then reads it back
 * at random (which fills the block cache), in a child JVM whose heap is fixed and pre-touched, so
 * that the growth of its resident memory is RocksDB's native memory (plus the JVM's own small
 * native growth, part of the margin).
 */
@EnabledOnOs(OS.LINUX)
class RocksDbMemoryCapTest {

    static final long CAP = 32L << 20;
    static final long MARGIN = 48L << 20;
    static final int KEYS = 2_000_000;
    static final int VALUE_BYTES = 100;

    @TempDir
    Path dir;

    @Test
    void nativeMemoryStaysWithinTheCapWhileStateGrowsFarPastIt() throws Exception {
        Path output = dir.resolve("probe.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:ReservedCodeCacheSize=64m",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), dir.resolve("db").toString(), Long.toString(CAP))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // glibc would otherwise give each RocksDB thread its own 64 MiB arena; the guide recommends this too.
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        Process probe = builder.start();
        boolean exited = probe.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            probe.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("probe finished:\n%s", out).isTrue();
        assertThat(probe.exitValue()).as("probe exit code:\n%s", out).isZero();

        long before = value(out, "RSS_BEFORE=");
        long after = value(out, "RSS_AFTER=");
        long stateBytes = value(out, "STATE_BYTES=");
        assertThat(stateBytes).as("state written, bytes").isGreaterThan(4 * CAP);
        assertThat(after - before).as("resident memory growth (cap %d + margin %d):\n%s", CAP, MARGIN, out)
                .isLessThanOrEqualTo(CAP + MARGIN);
    }

    private static long value(String output, String marker) {
        return output.lines().filter(line -> line.startsWith(marker)).map(line -> Long.parseLong(line.substring(marker.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + marker + " in:\n" + output));
    }

    /** The child process: fills and reads RocksDB state, and reports its resident memory. */
    public static final class Probe {

        public static void main(String[] args) throws IOException {
            StateDescriptor state = new StateDescriptor(0, "probe.Bean", "payload", "payload", StateKind.VALUE, 0,
                    "[B", "");
            RocksDbStateBackend backend = new RocksDbStateBackend(List.of(state),
                    new StateCodecs(new ObjectMapper(), Map.of()),
                    RocksDbSettings.of(Path.of(args[0]), Long.parseLong(args[1])),
                    System::currentTimeMillis);
            @SuppressWarnings("unchecked")
            ValueState<byte[]> payload = (ValueState<byte[]>) backend.handle(state);
            for (int p = 0; p < 4; p++) {
                backend.shard(p);
            }
            System.gc();
            long before = residentBytes();

            byte[] value = new byte[VALUE_BYTES];
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < KEYS; i++) {
                random.nextBytes(value); // incompressible
                byte[] copy = value.clone();
                CurrentShardKey.callWithin(new ShardKey(backend.shard(i % 4), "key-" + i), () -> {
                    payload.set(copy);
                    return null;
                });
            }
            long[] found = { 0 };
            for (int i = 0; i < KEYS / 4; i++) {
                int k = random.nextInt(KEYS);
                CurrentShardKey.callWithin(new ShardKey(backend.shard(k % 4), "key-" + k), () -> {
                    if (payload.get() != null) {
                        found[0]++;
                    }
                    return null;
                });
            }
            System.gc();
            long after = residentBytes();
            System.out.println("FOUND=" + found[0]);
            System.out.println("STATE_BYTES=" + (long) KEYS * VALUE_BYTES);
            System.out.println("RSS_BEFORE=" + before);
            System.out.println("RSS_AFTER=" + after);
            backend.close();
            System.exit(found[0] == KEYS / 4 ? 0 : 1);
        }

        private static long residentBytes() throws IOException {
            String rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).findFirst().orElseThrow();
            return Long.parseLong(rss.replaceAll("[^0-9]", "")) * 1024; // the kernel reports kB
        }
    }
}
