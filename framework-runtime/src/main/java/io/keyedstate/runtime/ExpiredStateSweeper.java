package io.keyedstate.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.checkpoint.DaemonThreads;

/**
 * Removes expired values from the backend every {@code ttl-cleanup-interval}, so that they leave
 * memory and disk even if their keys are never read again (a read already hides them).
 */
final class ExpiredStateSweeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ExpiredStateSweeper.class);

    private final ScheduledExecutorService executor = Executors
            .newSingleThreadScheduledExecutor(DaemonThreads.named("keyed-state-ttl-cleanup"));

    ExpiredStateSweeper(StateBackend backend, Duration interval) {
        long period = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                long removed = backend.removeExpired();
                LOG.debugf("Removed %d expired keyed-state entries", removed);
            } catch (RuntimeException e) {
                LOG.warn("Removing expired keyed state failed; it will be retried", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
