package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A restored checkpoint against the topic it was taken of, as the broker has it now. */
class LogCheckTest {

    private static final String OLD_ID = "q2mRA1SZTtqUHTpeHZvYBQ";
    private static final String NEW_ID = "7bKc0cQ1TmGvXxJ8a9w2Zg";
    private static final TopicPartition WORDS_0 = new TopicPartition("words", 0);
    private static final TopicPartition CLICKS_0 = new TopicPartition("clicks", 0);

    /** Offsets the check must not read: the verdict is known without them. */
    private static final Function<Set<TopicPartition>, Map<TopicPartition, Long>> UNREAD = partitions -> {
        throw new AssertionError("read the offsets of " + partitions);
    };

    private static Function<Set<TopicPartition>, Map<TopicPartition, Long>> offsets(Map<TopicPartition, Long> offsets) {
        return partitions -> offsets;
    }

    private static LogCheck.Verdict check(long recorded, Map<String, String> recordedIds, Map<String, String> currentIds,
            long start, long end) {
        return LogCheck.check(Map.of("words-0", recorded), recordedIds, currentIds, offsets(Map.of(WORDS_0, start)),
                offsets(Map.of(WORDS_0, end)));
    }

    @Test
    void theSameTopicWithTheOffsetInItsLogFits() {
        assertThat(check(50, Map.of("words", OLD_ID), Map.of("words", OLD_ID), 10, 100)).isInstanceOf(LogCheck.Fits.class);
    }

    @Test
    void anOffsetAtTheLogStartOrAtTheLogEndFits() {
        assertThat(check(10, Map.of("words", OLD_ID), Map.of("words", OLD_ID), 10, 100)).isInstanceOf(LogCheck.Fits.class);
        assertThat(check(100, Map.of("words", OLD_ID), Map.of("words", OLD_ID), 10, 100)).isInstanceOf(LogCheck.Fits.class);
        assertThat(check(0, Map.of(), Map.of(), 0, 0)).as("an empty partition").isInstanceOf(LogCheck.Fits.class);
    }

    @Test
    void anotherTopicIdIsATopicCreatedAgainWhateverTheOffsets() {
        LogCheck.Verdict verdict = LogCheck.check(Map.of("words-0", 50L), Map.of("words", OLD_ID), Map.of("words", NEW_ID),
                UNREAD, UNREAD);
        assertThat(verdict).isEqualTo(new LogCheck.Recreated(List.of(new LogCheck.Change("words", OLD_ID, NEW_ID))));
        assertThat(((LogCheck.Recreated) verdict).describe()).contains("words").contains(OLD_ID).contains(NEW_ID);
    }

    @Test
    void onlyTheTopicsCreatedAgainAreNamed() {
        LogCheck.Verdict verdict = LogCheck.check(Map.of("words-0", 50L, "clicks-0", 7L),
                Map.of("words", OLD_ID, "clicks", OLD_ID), Map.of("words", OLD_ID, "clicks", NEW_ID), UNREAD, UNREAD);
        assertThat(verdict).isEqualTo(new LogCheck.Recreated(List.of(new LogCheck.Change("clicks", OLD_ID, NEW_ID))));
    }

    @Test
    void theSameTopicWithTheOffsetPastItsEndWasTruncated() {
        assertThat(check(150, Map.of("words", OLD_ID), Map.of("words", OLD_ID), 0, 100))
                .isEqualTo(new LogCheck.BeyondLogEnd(WORDS_0, 150, 100));
        assertThat(new LogCheck.BeyondLogEnd(WORDS_0, 150, 100).reason()).contains("150").contains("words-0")
                .contains("ends at 100").contains("truncated");
    }

    @Test
    void anOffsetBelowTheLogStartLostRecordsToRetention() {
        LogCheck.Verdict verdict = check(9, Map.of("words", OLD_ID), Map.of("words", OLD_ID), 10, 100);
        assertThat(verdict).isEqualTo(new LogCheck.BelowLogStart(WORDS_0, 9, 10));
        assertThat(((LogCheck.BelowLogStart) verdict).reason()).contains("offset 9 of words-0").contains("starts at offset 10")
                .contains("retention");
    }

    @Test
    void unknownTopicIdsFallBackToTheOffsets() {
        // A manifest written before topic ids were recorded, or ids that could not be read now.
        assertThat(check(150, Map.of(), Map.of("words", NEW_ID), 0, 100)).isInstanceOf(LogCheck.BeyondLogEnd.class);
        assertThat(check(150, Map.of("words", OLD_ID), Map.of(), 0, 100)).isInstanceOf(LogCheck.BeyondLogEnd.class);
        assertThat(check(5, Map.of("words", OLD_ID), Map.of(), 10, 100)).isInstanceOf(LogCheck.BelowLogStart.class);
        assertThat(check(50, Map.of(), Map.of(), 10, 100)).isInstanceOf(LogCheck.Fits.class);
    }

    @Test
    void everyInputPartitionIsChecked() {
        LogCheck.Verdict verdict = LogCheck.check(Map.of("words-0", 50L, "clicks-0", 3L), Map.of(), Map.of(),
                offsets(Map.of(WORDS_0, 0L, CLICKS_0, 5L)), offsets(Map.of(WORDS_0, 100L, CLICKS_0, 20L)));
        assertThat(verdict).isEqualTo(new LogCheck.BelowLogStart(CLICKS_0, 3, 5));
    }

    @Test
    void aPartitionWhoseOffsetsAreNotKnownIsNotHeldAgainstTheCheckpoint() {
        assertThat(LogCheck.check(Map.of("words-0", 50L), Map.of(), Map.of(), offsets(Map.of()), offsets(Map.of())))
                .isInstanceOf(LogCheck.Fits.class);
    }
}
