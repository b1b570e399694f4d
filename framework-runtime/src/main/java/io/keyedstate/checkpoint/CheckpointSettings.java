package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the coordinator checkpoints, resolved from configuration.
 *
 * @param inlineThreshold files up to this many bytes are stored in the manifest
 * @param applicationFolder the storage folder of this application, {@code <application name>}
 * @param channelTopics per keyed channel, its topics, sorted: its shards' folders are named after them
 * @param previousLayoutChannel the keyed channel that wrote the folders of the previous storage
 *        layout, for topics that several keyed channels read (see {@link StorageLayout})
 */
public record CheckpointSettings(Duration interval, Duration timeout, Duration minPause, int tolerableFailures,
        int unhealthyAfterIntervals,
        int retained, Duration handoverTimeout, int uploadThreads, boolean incremental, long inlineThreshold,
        Optional<String> restoreFrom, UnrecoverableShardPolicy unrecoverableShard, Duration restoreTimeout,
        String applicationFolder, Map<String, List<String>> channelTopics, Optional<String> previousLayoutChannel) {
}
