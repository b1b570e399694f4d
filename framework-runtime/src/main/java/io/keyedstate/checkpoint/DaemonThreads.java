package io.keyedstate.checkpoint;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads of the framework's own pools: daemons, so that none keeps the JVM from exiting. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Daemon threads named {@code name-1}, {@code name-2}... */
    public static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
