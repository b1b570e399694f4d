package io.keyedstate.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.keyedstate.SavepointExistsException;
import io.keyedstate.storage.CheckpointStorage;

/**
 * The rule that keeps savepoints safe from later ones: a savepoint of a partition is written only
 * where storage holds no complete savepoint of that partition under that name. The instances of a
 * consumer group may share a name, each for its own partitions ({@code savepoints/<name>/<topic>-<partition>}),
 * so the rule holds per partition folder. A failed savepoint leaves what it wrote, never deletes:
 * the folder may hold another writer's complete savepoint by then, and a retry under the same name
 * overwrites the partial files.
 */
final class Savepoints {

    private Savepoints() {
    }

    /** The folders among {@code shardFolders} (names under {@code savepointFolder}) that hold a complete savepoint. */
    static List<String> existing(CheckpointStorage storage, String savepointFolder, Collection<String> shardFolders)
            throws IOException {
        List<String> existing = new ArrayList<>();
        for (String shardFolder : shardFolders) {
            if (storage.list(savepointFolder + "/" + shardFolder).contains(CheckpointManifest.NAME)) {
                existing.add(shardFolder);
            }
        }
        return existing;
    }

    /**
     * Throws {@link SavepointExistsException} if savepoint {@code name}, stored in
     * {@code savepointFolder}, exists for any of {@code shardFolders}.
     */
    static void refuseExisting(CheckpointStorage storage, String name, String savepointFolder,
            Collection<String> shardFolders) throws IOException {
        List<String> existing = existing(storage, savepointFolder, shardFolders);
        if (!existing.isEmpty()) {
            throw new SavepointExistsException(name, existing, storage.describe() + "/" + savepointFolder);
        }
    }
}
