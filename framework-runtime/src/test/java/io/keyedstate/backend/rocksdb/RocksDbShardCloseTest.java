package io.keyedstate.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.ValueState;
import io.keyedstate.backend.ShardClosedException;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

/**
 * Closing a RocksDB shard while something still uses it (a handler after a handover timeout, the
 * expiry sweep, a metrics scrape, a timer round): the close waits for the use, and later uses are
 * refused with an exception instead of touching freed native memory, which would crash the JVM.
 */
class RocksDbShardCloseTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    static final StateDescriptor SEEN = new StateDescriptor(1, "app.Counter", "seen", "seen", StateKind.VALUE, 1,
            "java.lang.Long", "");

    @TempDir
    Path root;

    private RocksDbStateBackend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private RocksDbStateBackend open() {
        backend = new RocksDbStateBackend(List.of(COUNT, SEEN), new StateCodecs(new ObjectMapper(), Map.of()),
                RocksDbSettings.of(root, 16L << 20), System::currentTimeMillis);
        return backend;
    }

    @Test
    void anOpenIteratorHoldsTheShardOpenAndLaterUsesAreRefused() throws Exception {
        open();
        RocksDbShard shard = backend.shard(0);
        set(shard, COUNT, "k", 7L);
        shard.flushWriteCache();
        Thread dropper;
        try (RocksDbShard.Cursor cursor = shard.iterator(COUNT.id())) {
            dropper = new Thread(() -> backend.drop(0), "dropper");
            dropper.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> dropper.getState() == Thread.State.TIMED_WAITING);
            cursor.seekToFirst();
            assertThat(cursor.isValid()).as("the iterator still reads while the close waits").isTrue();
        }
        dropper.join(10_000);
        assertThat(dropper.isAlive()).isFalse();
        assertThatThrownBy(() -> shard.get(COUNT.id(), new byte[] { 1 })).isInstanceOf(ShardClosedException.class);
        assertThatThrownBy(() -> shard.iterator(COUNT.id())).isInstanceOf(ShardClosedException.class);
        assertThatThrownBy(shard::estimatedBytes).isInstanceOf(ShardClosedException.class);
    }

    @Test
    void assignRevokeCyclesUnderSweepsScrapesAndWritesNeverTouchAClosedShard() throws Exception {
        open();
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong refused = new AtomicLong();
        List<Thread> users = List.of(
                user("writer", done, unexpected, refused, () -> {
                    RocksDbShard shard = backend.shard(0);
                    for (int i = 0; i < 50; i++) {
                        set(shard, COUNT, "key-" + i, (long) i);
                        set(shard, SEEN, "key-" + i, (long) i);
                    }
                }),
                user("sweeper", done, unexpected, refused, backend::removeExpired),
                user("scraper", done, unexpected, refused, () -> backend.shards().forEach(shard -> {
                    shard.estimatedBytes();
                    shard.keyCount();
                })));
        users.forEach(Thread::start);
        // Cycles until the users have run into closed shards often enough, however fast this machine is.
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (refused.get() < 20 && unexpected.isEmpty() && System.nanoTime() < deadline) {
            backend.shard(0);
            backend.drop(0);
        }
        done.set(true);
        for (Thread user : users) {
            user.join(30_000);
        }
        assertThat(unexpected).isEmpty();
        assertThat(refused.get()).as("uses refused by a closed shard").isGreaterThanOrEqualTo(20);
        // The JVM is still here: no use ever reached a closed native handle; and a shard opened again is sound.
        backend.drop(0);
        set(backend.shard(0), COUNT, "after", 1L);
        assertThat(backend.shard(0).keyCount()).isEqualTo(1);
    }

    private static Thread user(String name, AtomicBoolean done, ConcurrentLinkedQueue<Throwable> unexpected,
            AtomicLong refused, Runnable use) {
        return new Thread(() -> {
            while (!done.get()) {
                try {
                    use.run();
                } catch (ShardClosedException e) {
                    refused.incrementAndGet();
                } catch (Throwable e) {
                    unexpected.add(e);
                    return;
                }
            }
        }, name);
    }

    private void set(RocksDbShard shard, StateDescriptor state, String key, long value) {
        @SuppressWarnings("unchecked")
        ValueState<Long> handle = (ValueState<Long>) backend.handle(state);
        CurrentShardKey.callWithin(new ShardKey(shard, key), () -> {
            handle.set(value);
            return null;
        });
    }
}
