package io.keyedstate.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PersistentHashMapTest {

    /** A key whose hash is chosen by the test, to force full-hash collisions. */
    record Key(int id, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        Random random = new Random(42);
        Map<Key, Integer> expected = new HashMap<>();
        PersistentHashMap<Key, Integer> actual = PersistentHashMap.empty();
        for (int step = 0; step < 200_000; step++) {
            int id = random.nextInt(5_000);
            // Few distinct hashes for low ids: collision nodes; spread hashes for the rest.
            Key key = new Key(id, id < 200 ? id % 7 : id * 0x9E3779B9);
            if (random.nextInt(3) == 0) {
                expected.remove(key);
                actual = actual.remove(key);
            } else {
                expected.put(key, step);
                actual = actual.put(key, step);
            }
        }
        assertThat(actual.size()).isEqualTo(expected.size());
        for (Map.Entry<Key, Integer> entry : expected.entrySet()) {
            assertThat(actual.get(entry.getKey())).isEqualTo(entry.getValue());
        }
        Map<Key, Integer> iterated = new HashMap<>();
        actual.forEach(iterated::put);
        assertThat(iterated).isEqualTo(expected);
        Map<Key, Integer> viaIterator = new HashMap<>();
        actual.forEach(entry -> viaIterator.put(entry.getKey(), entry.getValue()));
        assertThat(viaIterator).isEqualTo(expected);
    }

    @Test
    void inPlaceEditsNeverChangeAMapHandedOutInAnEarlierEpoch() {
        Random random = new Random(7);
        long epoch = 0;
        PersistentHashMap<Key, Integer> live = PersistentHashMap.empty();
        Map<Key, Integer> expected = new HashMap<>();
        java.util.List<PersistentHashMap<Key, Integer>> snapshots = new java.util.ArrayList<>();
        java.util.List<Map<Key, Integer>> contents = new java.util.ArrayList<>();
        for (int step = 0; step < 100_000; step++) {
            if (step % 5_000 == 0) {
                // What an owner does when it hands out a snapshot: start a new epoch.
                snapshots.add(live);
                contents.add(new HashMap<>(expected));
                epoch++;
            }
            int id = random.nextInt(2_000);
            Key key = new Key(id, id < 100 ? id % 5 : id * 0x9E3779B9);
            if (random.nextInt(4) == 0) {
                live = live.remove(key);
                expected.remove(key);
            } else {
                live = live.put(key, step, epoch);
                expected.put(key, step);
            }
        }
        Map<Key, Integer> actual = new HashMap<>();
        live.forEach(actual::put);
        assertThat(actual).isEqualTo(expected);
        assertThat(live.size()).isEqualTo(expected.size());
        for (int i = 0; i < snapshots.size(); i++) {
            Map<Key, Integer> seen = new HashMap<>();
            snapshots.get(i).forEach(seen::put);
            assertThat(seen).as("snapshot %d", i).isEqualTo(contents.get(i));
        }
    }

    @Test
    void replacingAValueInTheCurrentEpochAllocatesNoNewMap() {
        PersistentHashMap<String, Integer> map = PersistentHashMap.<String, Integer> empty().put("a", 1, 3).put("b", 2, 3);
        assertThat(map.put("a", 10, 3)).isSameAs(map);
        assertThat(map.get("a")).isEqualTo(10);
        PersistentHashMap<String, Integer> nextEpoch = map.put("a", 11, 4);
        assertThat(nextEpoch).isNotSameAs(map);
        assertThat(map.get("a")).isEqualTo(10);
        assertThat(nextEpoch.get("a")).isEqualTo(11);
    }

    @Test
    void anOldVersionIsUnchangedByLaterUpdates() {
        PersistentHashMap<String, Integer> snapshot = PersistentHashMap.<String, Integer> empty().put("a", 1).put("b", 2);
        PersistentHashMap<String, Integer> later = snapshot.put("a", 10).remove("b").put("c", 3);

        assertThat(snapshot.get("a")).isEqualTo(1);
        assertThat(snapshot.get("b")).isEqualTo(2);
        assertThat(snapshot.containsKey("c")).isFalse();
        assertThat(snapshot.size()).isEqualTo(2);
        assertThat(later.get("a")).isEqualTo(10);
        assertThat(later.containsKey("b")).isFalse();
        assertThat(later.size()).isEqualTo(2);
    }

    @Test
    void removingTheLastKeyOrAMissingKeyKeepsSizeRight() {
        PersistentHashMap<Key, String> map = PersistentHashMap.<Key, String> empty().put(new Key(1, 5), "x");
        assertThat(map.remove(new Key(2, 5))).isSameAs(map);
        assertThat(map.remove(new Key(1, 5)).isEmpty()).isTrue();
        assertThat(map.put(new Key(1, 5), "x")).isSameAs(map);
    }

    @Test
    void aDiffAppliedToItsBaseGivesTheCurrentMapAndReportsOnlyWhatChanged() {
        Random random = new Random(11);
        long epoch = 0;
        PersistentHashMap<Key, Integer> live = PersistentHashMap.empty();
        PersistentHashMap<Key, Integer> base = live;
        for (int round = 0; round < 40; round++) {
            Map<Key, Integer> touched = new HashMap<>();
            int updates = round % 4 == 0 ? 3_000 : 30;
            for (int step = 0; step < updates; step++) {
                int id = random.nextInt(10_000);
                // Low ids share few hashes: collision nodes, and keys moving between slots and subtrees.
                Key key = new Key(id, id < 300 ? id % 11 : id * 0x9E3779B9);
                if (random.nextInt(3) == 0) {
                    live = live.remove(key);
                } else {
                    live = live.put(key, random.nextInt(), epoch);
                }
                touched.put(key, 0);
            }
            PersistentHashMap<Key, Integer>[] rebuilt = new PersistentHashMap[] { base };
            int[] reported = new int[1];
            live.diff(base, new PersistentHashMap.Changes<>() {
                @Override
                public void changed(Key key, Integer value) {
                    rebuilt[0] = rebuilt[0].put(key, value);
                    reported[0]++;
                }

                @Override
                public void removed(Key key) {
                    rebuilt[0] = rebuilt[0].remove(key);
                    reported[0]++;
                }
            });
            Map<Key, Integer> expected = new HashMap<>();
            live.forEach(expected::put);
            Map<Key, Integer> actual = new HashMap<>();
            rebuilt[0].forEach(actual::put);
            assertThat(actual).as("round %d", round).isEqualTo(expected);
            assertThat(reported[0]).as("reported changes, round %d", round).isLessThanOrEqualTo(touched.size());
            // The owner hands out a snapshot: the next diff is against it, and in-place edits stop touching it.
            base = live;
            epoch++;
        }
    }
}
