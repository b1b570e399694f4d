package io.keyedstate.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.state.StateShard;
import io.keyedstate.runtime.KeyedStates;
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
    KeyedStates states;

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
        long bytes = 0;
        for (StateShard shard : states.backend().shards()) {
            bytes += shard.estimatedBytes();
        }
        String checkpoint = checkpoints.lastCompleted()
                .map(last -> last.id() + ", " + Duration.between(last.createdAt(), Instant.now()).toSeconds() + " s ago")
                .orElse("none yet");
        LOG.infof("processed %,d records (%,.0f records/s); %,d sessions ended; state: ~%,d bytes in %d shards; last"
                + " checkpoint: %s", total, perSecond, sessionsEnded.get(), bytes, states.backend().shards().size(),
                checkpoint);
    }
}
