package io.keyedstate.runtime.devui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.backend.ShardClosedException;
import io.keyedstate.checkpoint.ShardStatus;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.state.StateShard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.inject.Instance;

/**
 * What the Dev UI card asks, over its JSON-RPC: the shards this instance owns, the checkpoints in
 * storage, and taking a savepoint. Answers plain maps of strings and numbers, which any JSON
 * mapper writes. Registered by the build in dev mode only.
 */
public class KeyedStateDevUiService {

    /** Looked up when asked: an application without keyed state has the service, and no keyed state. */
    private final Instance<KeyedStates> keyedStates;
    private final Instance<KeyedStateCheckpoints> keyedCheckpoints;

    KeyedStateDevUiService(Instance<KeyedStates> keyedStates, Instance<KeyedStateCheckpoints> keyedCheckpoints) {
        this.keyedStates = keyedStates;
        this.keyedCheckpoints = keyedCheckpoints;
    }

    /** How many shards this instance owns: the card's label. */
    public int getShardCount() {
        return keyedStates.isResolvable() ? keyedStates.get().coordinator().shardStatuses().size() : 0;
    }

    /** Each owned shard: channel, partition, backend, state size, keys, pending timers, newest checkpoint and its age. */
    public List<Map<String, Object>> getShards() {
        if (!keyedStates.isResolvable()) {
            return List.of();
        }
        KeyedStates states = keyedStates.get();
        long now = System.currentTimeMillis();
        Map<Integer, StateShard> open = new TreeMap<>();
        states.backend().shards().forEach(shard -> open.put(shard.id(), shard));
        List<Map<String, Object>> shards = new ArrayList<>();
        for (ShardStatus status : states.coordinator().shardStatuses()) {
            Map<String, Object> shard = new LinkedHashMap<>();
            shard.put("channel", status.channel());
            shard.put("partition", status.folder());
            shard.put("backend", states.backend().name());
            shard.put("status", status.status());
            StateShard state = open.get(status.id());
            try {
                shard.put("stateBytes", state == null ? 0 : state.estimatedBytes());
                shard.put("keys", state == null ? 0 : state.keyCount());
                shard.put("timersPending", state == null || states.timers().isEmpty() ? 0 : state.timers().size());
            } catch (ShardClosedException e) {
                continue; // let go while it was looked at
            }
            shard.put("lastCheckpoint", status.lastCheckpoint() == null ? "none yet" : status.lastCheckpoint());
            shard.put("lastCheckpointAgeSeconds", status.lastCheckpoint() == null ? -1
                    : Math.max(0, (now - status.lastCheckpointAtMillis()) / 1000));
            shards.add(shard);
        }
        return shards;
    }

    /** The complete checkpoints and savepoints in storage, newest first, per partition folder. */
    public List<Map<String, Object>> getCheckpoints() {
        List<Map<String, Object>> listed = new ArrayList<>();
        if (!keyedCheckpoints.isResolvable()) {
            return listed;
        }
        try {
            keyedCheckpoints.get().list().forEach((folder, infos) -> infos.forEach(info -> listed.add(describe(folder, info))));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the checkpoints in storage: " + e.getMessage(), e);
        }
        listed.sort((a, b) -> ((String) b.get("createdAt")).compareTo((String) a.get("createdAt")));
        return listed;
    }

    /** Takes savepoint {@code name} of every shard this instance owns; answers the savepoints' ids. */
    public Uni<List<String>> takeSavepoint(String name) {
        return Uni.createFrom().completionStage(() -> keyedCheckpoints.get().savepoint(name))
                .map(taken -> taken.stream().map(CheckpointInfo::id).toList());
    }

    private static Map<String, Object> describe(String folder, CheckpointInfo info) {
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        checkpoint.put("folder", folder);
        checkpoint.put("id", info.id());
        checkpoint.put("savepoint", info.savepoint());
        checkpoint.put("createdAt", String.valueOf(info.createdAt()));
        checkpoint.put("offsets", info.offsets().toString());
        checkpoint.put("files", info.fileCount());
        checkpoint.put("totalBytes", info.totalBytes());
        checkpoint.put("uploadedBytes", info.uploadedBytes());
        return checkpoint;
    }
}
