package io.keyedstate.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.Timers;
import io.keyedstate.ValueState;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * A heap checkpoint file whose lengths are garbage (damage the checksum did not catch, or a file
 * read in another form than it was written) fails its restore with an {@code IOException}, which
 * passes the checkpoint over, never by allocating what the length says (an {@code OutOfMemoryError}).
 */
class HeapShardFileDamageTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.C", "count", "count", StateKind.VALUE, 0,
            "java.lang.String", "");
    static final StateDescriptor HOURS = new StateDescriptor(1, "app.C", "hours", "hours", StateKind.MAP, 0,
            "java.lang.String", "java.lang.String");
    static final StateDescriptor TAGS = new StateDescriptor(2, "app.C", "tags", "tags", StateKind.LIST, 0,
            "[B", "");
    static final StateDescriptor TIMERS = new StateDescriptor(3, "app.C", "timers", "timers", StateKind.TIMERS, 0,
            "java.lang.Long", "");
    static final List<StateDescriptor> STATES = List.of(COUNT, HOURS, TAGS, TIMERS);

    /** Counts what a read allocates: with a large heap, a 2 GiB array would not even fail. */
    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) java.lang.management
            .ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void everyHugeLengthFailsWithAnIOException(boolean compress) throws Exception {
        StateCodecs codecs = new StateCodecs(new ObjectMapper(), Map.of());
        HeapStateBackend backend = new HeapStateBackend(STATES, () -> 1_000L, codecs, 10, compress);
        try {
            write(backend);
            Path written = Files.createDirectories(dir.resolve("written"));
            try (var snapshot = backend.snapshot(0, java.util.Set.of())) {
                for (Path file : snapshot.files()) {
                    Files.copy(file, written.resolve("heap-1.bin"));
                }
            }
            byte[] original = Files.readAllBytes(written.resolve("heap-1.bin"));
            byte[] plain = compress ? inflate(original) : original;
            HeapShardFile file = new HeapShardFile(STATES, codecs, false);
            Path damaged = dir.resolve("heap-1.bin");
            int failures = 0;
            for (int offset = 6; offset + Integer.BYTES <= plain.length; offset++) {
                byte[] bytes = plain.clone();
                ByteBuffer.wrap(bytes).putInt(offset, Integer.MAX_VALUE - 8);
                Files.write(damaged, compress ? deflate(bytes) : bytes);
                long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
                try {
                    file.read(List.of(damaged), RestorePlan.NONE, 1_000L);
                } catch (IOException | RuntimeException e) {
                    failures++; // passed over as damage
                } catch (OutOfMemoryError e) {
                    fail("A length of " + (Integer.MAX_VALUE - 8) + " at offset " + offset + " allocated it", e);
                }
                assertThat(THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore)
                        .as("bytes allocated reading a length of %d at offset %d", Integer.MAX_VALUE - 8, offset)
                        .isLessThan(64L << 20);
            }
            assertThat(failures).isPositive();
        } finally {
            backend.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(HeapStateBackend backend) {
        ValueState<String> count = (ValueState<String>) backend.handle(COUNT);
        MapState<String, String> hours = (MapState<String, String>) backend.handle(HOURS);
        ListState<byte[]> tags = (ListState<byte[]>) backend.handle(TAGS);
        Timers timers = (Timers) backend.handle(TIMERS);
        for (int i = 0; i < 3; i++) {
            int n = i;
            CurrentShardKey.callWithin(new ShardKey(backend.shard(0), "key-" + i), () -> {
                count.set("v" + n);
                hours.put("h" + n, "x" + n);
                tags.add(new byte[] { (byte) n });
                timers.registerEventTimeTimer(5_000L + n);
                return null;
            });
        }
    }

    /** The header (magic, kind, compression) stays; the rest is deflated again. */
    private static byte[] deflate(byte[] plain) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        out.write(plain, 0, 6);
        try (var deflater = new java.util.zip.DeflaterOutputStream(out)) {
            deflater.write(plain, 6, plain.length - 6);
        }
        return out.toByteArray();
    }

    private static byte[] inflate(byte[] compressed) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        out.write(compressed, 0, 6);
        try (var inflater = new java.util.zip.InflaterInputStream(
                new java.io.ByteArrayInputStream(compressed, 6, compressed.length - 6))) {
            inflater.transferTo(out);
        }
        return out.toByteArray();
    }
}
