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
