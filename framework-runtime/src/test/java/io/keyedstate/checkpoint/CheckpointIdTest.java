package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CheckpointIdTest {

    private static List<String> newestFirst(int current, String... names) {
        List<CheckpointId> ids = new ArrayList<>();
        for (String name : names) {
            ids.add(CheckpointId.parse(name).orElseThrow());
        }
        ids.sort(CheckpointId.newestFirst(current));
        return ids.stream().map(CheckpointId::name).toList();
    }

    @Test
    void aStaleOwnersLaterCheckpointsNeverRankAboveTheNewOwners() {
        // The zombie (generation 3) went on to chk-9 after the new owner (generation 4) restored chk-5.
        assertThat(newestFirst(4, "chk-5-g3", "chk-9-g3", "chk-6-g4", "chk-7-g4"))
                .containsExactly("chk-7-g4", "chk-6-g4", "chk-9-g3", "chk-5-g3");
    }

    @Test
    void checkpointsOfAGroupThatWasCreatedAgainRankBelowTheCurrentOnes() {
        // Generations start over when a consumer group is deleted and created again.
        assertThat(newestFirst(2, "chk-40-g17", "chk-41-g1", "chk-42-g2"))
                .containsExactly("chk-42-g2", "chk-41-g1", "chk-40-g17");
    }

    @Test
    void onlyFolderNamesOfCheckpointsParse() {
        assertThat(CheckpointId.parse("shared")).isEmpty();
        assertThat(CheckpointId.parse("chk-3-g-1")).hasValue(new CheckpointId(3, -1, null));
        assertThat(CheckpointId.parse("chk-3-g7-k2x9")).hasValue(new CheckpointId(3, 7, "k2x9"));
        assertThat(CheckpointId.parse("chk-3-g7-../x")).isEmpty();
    }

    @Test
    void twoIncarnationsOfAStaticMemberNeverNameACheckpointAlike() {
        // With group.instance.id the generation survives a restart: only the owner token tells them apart.
        String first = new CheckpointId(5, 1, CheckpointId.newOwnerToken()).name();
        String second = new CheckpointId(5, 1, CheckpointId.newOwnerToken()).name();
        assertThat(first).isNotEqualTo(second);
        assertThat(CheckpointId.parse(first).orElseThrow().name()).isEqualTo(first);
    }
}
