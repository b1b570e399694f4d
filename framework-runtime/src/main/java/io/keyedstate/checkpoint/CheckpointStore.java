package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.keyedstate.storage.CheckpointStorage;

/**
 * The checkpoints and savepoints in storage, read and pruned: which checkpoints a shard has and
 * which is the newest complete one, what operators see listed, and retention, which deletes old
 * checkpoints and the shared files no remaining one references, never those of a newer owner.
 */
final class CheckpointStore {

    private static final Logger LOG = Logger.getLogger(CheckpointStore.class);

    private final CheckpointStorage storage;
    private final CheckpointSettings settings;
    /** Names this process's checkpoints apart from those of any other incarnation of the same group member. */
    private final String ownerToken = CheckpointId.newOwnerToken();

    CheckpointStore(CheckpointStorage storage, CheckpointSettings settings) {
        this.storage = storage;
        this.settings = settings;
    }

    /** The id of this process's {@code n}-th checkpoint of a shard in consumer-group generation {@code generation}. */
    CheckpointId newId(long n, int generation) {
        return new CheckpointId(n, generation, ownerToken);
    }

    /**
     * Keeps the newest {@code retained} complete checkpoints and whatever is newer; deletes the
     * rest (incomplete ones older than a complete one included), and the shared files that no
     * remaining manifest references: this process's own, of checkpoints up to {@code upToN} (a
     * later one may be uploading), and other owners' once they are older than the checkpoint
     * timeout (so no upload in flight loses them). Runs only while {@code ownership} holds, and
     * never deletes what a later generation of the group wrote: that belongs to a newer owner (or
     * to a consumer group created again, whose owner ranks it).
     */
    void retain(OwnedShard shard, long ownership, long upToN) {
        if (shard.ownership != ownership) {
            return;
        }
        try {
            List<CheckpointId> ids = checkpointIds(shard);
            Set<String> referenced = new HashSet<>();
            // What the shard last restored or wrote is the base of its next checkpoint, however old.
            CheckpointManifest base = shard.last;
            if (base != null) {
                base.files().stream().filter(CheckpointManifest.FileEntry::isShared)
                        .forEach(file -> referenced.add(file.location()));
            }
            int complete = 0;
            for (CheckpointId id : ids) {
                String folder = shard.folder + "/" + id.name();
                boolean isBase = base != null && !base.savepoint() && id.name().equals(base.id());
                boolean newerOwner = id.generation() > shard.generation;
                if (newerOwner) {
                    if (storage.list(folder).contains(CheckpointManifest.NAME)) {
                        referencedBy(folder, referenced);
                    }
                } else if (complete >= settings.retained() && !isBase) {
                    storage.deleteAll(folder);
                } else if (!storage.list(folder).contains(CheckpointManifest.NAME)) {
                    if (complete > 0) {
                        storage.deleteAll(folder); // failed or abandoned: a newer one completed since
                    }
                } else {
                    complete++;
                    referencedBy(folder, referenced);
                }
            }
            Instant uploadsInFlight = Instant.now().minus(settings.timeout());
            for (String name : storage.list(shard.folder + "/shared")) {
                String path = shard.folder + "/shared/" + name;
                if (referenced.contains("shared/" + name) || shard.ownership != ownership) {
                    continue;
                }
                OptionalLong own = ownSharedFileOf(name);
                if (own.isPresent() ? own.getAsLong() <= upToN : storage.lastModified(path).isBefore(uploadsInFlight)) {
                    storage.delete(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not delete old checkpoints of partition %s: %s; retried after the next checkpoint",
                    shard.folderName, e.getMessage());
        }
    }

    /** The checkpoint number of a shared file this process uploaded ({@code <checkpoint id>-<file>}), if it did. */
    private OptionalLong ownSharedFileOf(String name) {
        int owner = name.indexOf("-" + ownerToken + "-");
        if (!name.startsWith("chk-") || owner < 0) {
            return OptionalLong.empty();
        }
        return CheckpointId.parse(name.substring(0, owner + 1 + ownerToken.length()))
                .filter(id -> ownerToken.equals(id.owner())).map(id -> OptionalLong.of(id.n())).orElse(OptionalLong.empty());
    }

    /** Adds the shared files the manifest in {@code folder} references. */
    private void referencedBy(String folder, Set<String> referenced) throws IOException {
        CheckpointManifest.fromJson(storage.read(folder + "/" + CheckpointManifest.NAME)).files().stream()
                .filter(CheckpointManifest.FileEntry::isShared).forEach(file -> referenced.add(file.location()));
    }

    List<CheckpointId> checkpointIds(OwnedShard shard) throws IOException {
        return checkpointIds(shard.folder, shard.generation);
    }

    List<CheckpointId> checkpointIds(String folder, int generation) throws IOException {
        List<CheckpointId> ids = new ArrayList<>();
        for (String name : storage.list(folder)) {
            CheckpointId.parse(name).ifPresent(ids::add);
        }
        ids.sort(CheckpointId.newestFirst(generation));
        return ids;
    }

    Optional<CheckpointId> newestComplete(OwnedShard shard, List<CheckpointId> ids) throws IOException {
        for (CheckpointId id : ids) {
            if (storage.list(shard.folder + "/" + id.name()).contains(CheckpointManifest.NAME)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /**
     * What storage holds, for operators: per shard folder ({@code channels/<channel>/<topics>-<p>},
     * or {@code <topics>-<p>} in the previous layout) its complete checkpoints, newest first, and
     * per savepoint ({@code savepoints/<name>}) its shards.
     */
    public Map<String, List<CheckpointManifest>> list() throws IOException {
        Map<String, List<CheckpointManifest>> listed = new TreeMap<>();
        String root = settings.applicationFolder();
        for (String folder : storage.list(root)) {
            if (folder.equals(StorageLayout.SAVEPOINTS)) {
                for (String name : storage.list(root + "/" + StorageLayout.SAVEPOINTS)) {
                    String savepoint = StorageLayout.SAVEPOINTS + "/" + name;
                    List<CheckpointManifest> manifests = new ArrayList<>();
                    for (String shard : shardFoldersUnder(root + "/" + savepoint)) {
                        readManifest(root + "/" + savepoint + "/" + shard).ifPresent(manifests::add);
                    }
                    listed.put(savepoint, manifests);
                }
            } else {
                for (String shard : folder.equals(StorageLayout.CHANNELS) ? shardFoldersUnder(root) : List.of(folder)) {
                    List<CheckpointManifest> manifests = new ArrayList<>();
                    for (String checkpoint : storage.list(root + "/" + shard)) {
                        readManifest(root + "/" + shard + "/" + checkpoint).ifPresent(manifests::add);
                    }
                    manifests.sort(java.util.Comparator.comparingLong(CheckpointManifest::n).reversed());
                    listed.put(shard, manifests);
                }
            }
        }
        return listed;
    }

    /** The shard folders below {@code folder}, relative to it, in either layout. */
    private List<String> shardFoldersUnder(String folder) throws IOException {
        List<String> shards = new ArrayList<>();
        for (String entry : storage.list(folder)) {
            if (entry.equals(StorageLayout.CHANNELS)) {
                for (String channel : storage.list(folder + "/" + StorageLayout.CHANNELS)) {
                    for (String shard : storage.list(folder + "/" + StorageLayout.CHANNELS + "/" + channel)) {
                        shards.add(StorageLayout.CHANNELS + "/" + channel + "/" + shard);
                    }
                }
            } else {
                shards.add(entry);
            }
        }
        return shards;
    }

    /** The manifest of the checkpoint in {@code folder}; empty if it is incomplete or not a checkpoint. */
    private Optional<CheckpointManifest> readManifest(String folder) {
        try {
            return Optional.of(CheckpointManifest.fromJson(storage.read(folder + "/" + CheckpointManifest.NAME)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    String savepointFolder(String name) {
        return settings.applicationFolder() + "/" + StorageLayout.SAVEPOINTS + "/" + name;
    }
}
