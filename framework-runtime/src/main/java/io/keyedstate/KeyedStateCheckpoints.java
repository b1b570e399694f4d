package io.keyedstate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Checkpoints and savepoints, for operators and tests: inject it to take a savepoint before an
 * upgrade, or to list what storage holds. Each instance of a consumer group checkpoints the
 * partitions it owns; a savepoint of the whole application takes a call on every instance.
 * What it returns describes checkpoints; it never holds their state.
 */
public interface KeyedStateCheckpoints {

    /** Checkpoints every shard this instance owns now; completes with the checkpoints once they are durable. */
    CompletionStage<List<CheckpointInfo>> checkpoint();

    /**
     * Writes a savepoint named {@code name} of every shard this instance owns: full and
     * self-contained, never deleted by retention. Start from it with
     * {@code quarkus.keyed-state.checkpoint.restore-from=<name>}. A savepoint is never overwritten:
     * instances of one consumer group may use the same name, each for its own partitions, but a
     * partition that has a savepoint of that name keeps it.
     *
     * @throws IllegalArgumentException if {@code name} is not 1 to 128 letters, digits, '.', '_'
     *         and '-', not starting with '.'
     * @throws SavepointExistsException if storage holds a savepoint {@code name} of a partition
     *         this instance owns (the stage fails with it if one appears while this one is written)
     */
    CompletionStage<List<CheckpointInfo>> savepoint(String name);

    /** The shard checkpoint that completed last on this instance, if any did since startup. */
    Optional<CheckpointInfo> lastCompleted();

    /** The complete checkpoints in storage per shard folder ({@code <topic>-<partition>}), and the savepoints. */
    Map<String, List<CheckpointInfo>> list() throws IOException;
}
