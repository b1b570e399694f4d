package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the coordinator checkpoints, resolved from configuration.
 *
 * @param applicationFolder the storage folder of this application, {@code <application name>}
 * @param inputTopics the topics of every keyed channel, sorted: shard {@code p} is named after them
 */
public record CheckpointSettings(Duration interval, Duration timeout, Duration minPause, int tolerableFailures,
        int retained, Duration handoverTimeout, int uploadThreads, Optional<String> restoreFrom, String applicationFolder,
        List<String> inputTopics) {

    /** {@code <topic>-<p>}, or {@code <topic1>+<topic2>-<p>} when several topics feed the shard. */
    String shardName(int partition) {
        return String.join("+", inputTopics) + "-" + partition;
    }
}
