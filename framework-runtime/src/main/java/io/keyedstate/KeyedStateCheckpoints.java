package io.keyedstate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import io.keyedstate.checkpoint.CheckpointManifest;
import io.keyedstate.runtime.KeyedStates;

/**
 * Checkpoints and savepoints, for operators and tests: inject it to take a savepoint before an
 * upgrade, or to list what storage holds. Each instance of a consumer group checkpoints the
 * partitions it owns; a savepoint of the whole application takes a call on every instance.
 */
@ApplicationScoped
public class KeyedStateCheckpoints {

    private final KeyedStates states;

    KeyedStateCheckpoints(KeyedStates states) {
        this.states = states;
    }

    /** Checkpoints every shard this instance owns now; completes with the manifests once they are durable. */
    public CompletionStage<List<CheckpointManifest>> checkpoint() {
        return states.coordinator().checkpointNow();
    }

    /**
     * Writes a savepoint named {@code name} of every shard this instance owns: full and
     * self-contained, never deleted by retention. Start from it with
     * {@code quarkus.keyed-state.checkpoint.restore-from=<name>}.
     */
    public CompletionStage<List<CheckpointManifest>> savepoint(String name) {
        return states.coordinator().savepoint(name);
    }

    /** The shard checkpoint that completed last on this instance, if any did since startup. */
    public Optional<CheckpointManifest> lastCompleted() {
        return states.coordinator().lastCompleted();
    }

    /** The complete checkpoints in storage per shard folder ({@code <topic>-<partition>}), and the savepoints. */
    public Map<String, List<CheckpointManifest>> list() throws IOException {
        return states.coordinator().list();
    }
}
