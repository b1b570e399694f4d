package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class StorageLayoutTest {

    @Test
    void eachChannelHasAFolderOfItsOwnEvenOnTheSameTopic() {
        StorageLayout layout = new StorageLayout(Map.of("words", List.of("words"), "audit", List.of("words")),
                Optional.of("words"));

        assertThat(layout.shard("words", 3).path()).isEqualTo("channels/words/words-3");
        assertThat(layout.shard("audit", 3).path()).isEqualTo("channels/audit/words-3");
        assertThat(layout.shard("audit", 3).name()).isEqualTo("words-3");
    }

    @Test
    void theOnlyChannelOfItsTopicsTakesOverTheirFolderOfThePreviousLayout() {
        StorageLayout layout = new StorageLayout(Map.of("orders", List.of("a", "b"), "audit", List.of("a")),
                Optional.empty());

        // Before, topic a could feed one channel: a+b-0 was written by a channel reading exactly a and b.
        assertThat(layout.shard("orders", 0)).isEqualTo(
                new StorageLayout.ShardPaths("a+b-0", "channels/orders/a+b-0", "a+b-0", null));
        assertThat(layout.shard("audit", 0).previousPath()).isEqualTo("a-0");
        assertThat(layout.shard("audit", 0).previousLayoutConflict()).isNull();
    }

    @Test
    void channelsReadingTheSameTopicsTakeOverThePreviousLayoutOnlyWhenConfigurationSaysWhose() {
        Map<String, List<String>> topics = Map.of("words", List.of("words"), "audit", List.of("words"));

        StorageLayout unsaid = new StorageLayout(topics, Optional.empty());
        assertThat(unsaid.shard("words", 0).previousPath()).isEqualTo("words-0");
        assertThat(unsaid.shard("words", 0).previousLayoutConflict()).contains("'audit', 'words'",
                StorageLayout.PREVIOUS_LAYOUT_PROPERTY);

        StorageLayout said = new StorageLayout(topics, Optional.of("words"));
        assertThat(said.shard("words", 0).previousPath()).isEqualTo("words-0");
        assertThat(said.shard("words", 0).previousLayoutConflict()).isNull();
        assertThat(said.shard("audit", 0).previousPath()).isNull();
    }

    @Test
    void aPreviousLayoutChannelThatIsNotKeyedFailsAtStartupNamingTheChannels() {
        assertThatThrownBy(() -> new StorageLayout(Map.of("words", List.of("words")), Optional.of("wrods")))
                .hasMessageContaining(StorageLayout.PREVIOUS_LAYOUT_PROPERTY + "=wrods").hasMessageContaining("words");
    }

    @Test
    void channelNamesNeverLeadOutOfTheirFolder() {
        assertThat(StorageLayout.folderName("words-in_2.v1")).isEqualTo("words-in_2.v1");
        assertThat(StorageLayout.folderName("..")).isEqualTo("%2E.");
        assertThat(StorageLayout.folderName("a/b\\c")).isEqualTo("a%2Fb%5Cc");
        assertThat(StorageLayout.folderName("zähler")).isEqualTo("z%C3%A4hler");
        assertThat(StorageLayout.folderName("50%")).isEqualTo("50%25");
    }
}
