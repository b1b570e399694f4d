package io.keyedstate.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.keyedstate.KeyedStateCheckpoints;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/** Logs what the application has done every {@code app.progress.interval}. */
@ApplicationScoped
public class Progress {

    private static final Logger LOG = Logger.getLogger(Progress.class);

    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong sessionsEnded = new AtomicLong();
    private long lastProcessed;
    private long lastNanos = System.nanoTime();

    @Inject
    MeterRegistry metrics;

    @Inject
    KeyedStateCheckpoints checkpoints;

    void recordProcessed() {
        processed.incrementAndGet();
    }

    void recordSessionEnded() {
        sessionsEnded.incrementAndGet();
    }

    @Scheduled(every = "${app.progress.interval}", delayed = "${app.progress.interval}")
    synchronized void log() {
        long now = System.nanoTime();
        long total = processed.get();
        double perSecond = (total - lastProcessed) * 1e9 / Math.max(1, now - lastNanos);
        lastProcessed = total;
        lastNanos = now;
        // The extension's own metrics: the state's estimated size, and the partitions this instance owns.
        double bytes = gauge("keyed.state.size");
        double shards = gauge("keyed.state.shards");
        String checkpoint = checkpoints.lastCompleted()
                .map(last -> last.id() + ", " + Duration.between(last.createdAt(), Instant.now()).toSeconds() + " s ago")
                .orElse("none yet");
        LOG.infof("processed %,d records (%,.0f records/s); %,d sessions ended; state: ~%,.0f bytes in %.0f shards; last"
                + " checkpoint: %s", total, perSecond, sessionsEnded.get(), bytes, shards, checkpoint);
    }

    private double gauge(String name) {
        Gauge gauge = metrics.find(name).gauge();
        return gauge == null ? 0 : gauge.value();
    }
}
