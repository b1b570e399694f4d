package io.keyedstate.runtime;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.checkpoint.CheckpointManifest;

/** {@link KeyedStateCheckpoints} as this instance's checkpoint coordinator answers it. */
@ApplicationScoped
public class CoordinatorCheckpoints implements KeyedStateCheckpoints {

    private final KeyedStates states;

    CoordinatorCheckpoints(KeyedStates states) {
        this.states = states;
    }

    @Override
    public CompletionStage<List<CheckpointInfo>> checkpoint() {
        return states.coordinator().checkpointNow().thenApply(CoordinatorCheckpoints::infos);
    }

    @Override
    public CompletionStage<List<CheckpointInfo>> savepoint(String name) {
        return states.coordinator().savepoint(name).thenApply(CoordinatorCheckpoints::infos);
    }

    @Override
    public Optional<CheckpointInfo> lastCompleted() {
        return states.coordinator().lastCompleted().map(CoordinatorCheckpoints::info);
    }

    @Override
    public Map<String, List<CheckpointInfo>> list() throws IOException {
        Map<String, List<CheckpointInfo>> listed = new LinkedHashMap<>();
        states.coordinator().list().forEach((folder, manifests) -> listed.put(folder, infos(manifests)));
        return listed;
    }

    private static List<CheckpointInfo> infos(List<CheckpointManifest> manifests) {
        return manifests.stream().map(CoordinatorCheckpoints::info).toList();
    }

    private static CheckpointInfo info(CheckpointManifest manifest) {
        return new CheckpointInfo(manifest.id(), manifest.n(), manifest.savepoint(), manifest.origin(), manifest.backend(),
                manifest.createdAt(), manifest.offsets(), manifest.files().size(), manifest.totalBytes(),
                manifest.uploadedBytes());
    }
}
