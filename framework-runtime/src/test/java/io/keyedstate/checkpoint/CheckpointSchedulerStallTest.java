package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckpointSchedulerStallTest {

    private static final Duration INTERVAL = Duration.ofHours(1); // no interval begins on its own during the test
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Duration MIN_PAUSE = Duration.ZERO;

    private final AtomicLong now = new AtomicLong(1_000);
    private final CheckpointScheduler scheduler = new CheckpointScheduler(null, null, null, null, new CheckpointSettings(
            INTERVAL, TIMEOUT, MIN_PAUSE, 3, 3, 2, Duration.ofSeconds(30), 1, true, 0, Optional.empty(),
            UnrecoverableShardPolicy.FAIL, Duration.ofMinutes(1), "app", Map.of("words", List.of("words")),
            Optional.empty()), Runnable::run, now::get);

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void aScheduleNotStartedIsNotStuck() {
        now.addAndGet(Duration.ofDays(1).toNanos());

        assertThat(scheduler.stalled()).isEmpty();
    }

    @Test
    void aScheduleIsStuckOnceNoIntervalBeganForTwiceTheLongestItTakes() {
        scheduler.start();
        Duration longest = TIMEOUT.plus(INTERVAL).plus(MIN_PAUSE);

        now.addAndGet(longest.multipliedBy(2).toNanos());
        assertThat(scheduler.stalled()).isEmpty();

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(scheduler.stalled()).contains(longest.multipliedBy(2).plusSeconds(1));
    }
}
