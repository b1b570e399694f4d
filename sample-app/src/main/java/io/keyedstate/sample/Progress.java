package io.keyedstate.sample;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/** Logs what the application has done every {@code app.progress.interval}. */
@ApplicationScoped
public class Progress {

    private static final Logger LOG = Logger.getLogger(Progress.class);

    private final AtomicLong processed = new AtomicLong();
    private volatile long keys;
    private long lastProcessed;
    private long lastNanos = System.nanoTime();

    void recordProcessed(long distinctKeys) {
        processed.incrementAndGet();
        keys = distinctKeys;
    }

    @Scheduled(every = "${app.progress.interval}", delayed = "${app.progress.interval}")
    synchronized void log() {
        long now = System.nanoTime();
        long total = processed.get();
        double perSecond = (total - lastProcessed) * 1e9 / Math.max(1, now - lastNanos);
        lastProcessed = total;
        lastNanos = now;
        LOG.infof("processed %,d records (%,.0f records/s), %,d keys in state", total, perSecond, keys);
    }
}
