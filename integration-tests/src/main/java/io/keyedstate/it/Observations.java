package io.keyedstate.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** What each handler saw: per channel, the highest count per key and the number of invocations. */
@ApplicationScoped
public class Observations {

    private final Map<String, Map<String, Long>> highest = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> invocations = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Boolean>> threads = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> overlaps = new ConcurrentHashMap<>();

    /** A handler started on a record of {@code key}; counts it if another record of the key is still running. */
    public void entered(String channel, String key) {
        if (running.computeIfAbsent(channel + "/" + key, k -> new AtomicLong()).incrementAndGet() > 1) {
            overlaps.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
        }
    }

    public void left(String channel, String key) {
        running.get(channel + "/" + key).decrementAndGet();
    }

    /** How often a record of a key started while another of the same key was still being handled. */
    public long overlaps(String channel) {
        AtomicLong count = overlaps.get(channel);
        return count == null ? 0 : count.get();
    }

    public void saw(String channel, String key, long count) {
        highest.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).merge(key, count, Math::max);
        invocations.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
        Thread thread = Thread.currentThread();
        threads.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(describe(thread), true);
    }

    public long invocations(String channel) {
        AtomicLong count = invocations.get(channel);
        return count == null ? 0 : count.get();
    }

    public Map<String, Long> highestCounts(String channel) {
        return highest.getOrDefault(channel, Map.of());
    }

    /** The kinds of threads that ran the channel's handler. */
    public java.util.Set<String> threadKinds(String channel) {
        return threads.getOrDefault(channel, Map.of()).keySet();
    }

    private static String describe(Thread thread) {
        if (thread.toString().startsWith("VirtualThread")) { // Thread.isVirtual() needs Java 21
            return "virtual";
        }
        if (thread.getName().startsWith("vert.x-eventloop")) {
            return "event-loop";
        }
        if (thread.getName().startsWith("vert.x-worker") || thread.getName().startsWith("executor-thread")) {
            return "worker";
        }
        return thread.getName().replaceAll("[-#]?\\d+$", "");
    }
}
