package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class InputPartitionTest {

    private static final TopicPartition WORDS_2 = new TopicPartition("words", 2);

    @Test
    void aBatchWaitingAtABarrierIsAdmittedWhenTheGateReopens() {
        InputPartition input = batchInput();
        CompletableFuture<Long> barrier = input.close();

        CompletableFuture<Boolean> waiting = input.admitOrWait(104, 1);
        assertThat(barrier).isCompletedWithValue(100L);
        assertThat(waiting).isNotDone();

        assertThat(input.open()).isTrue();
        assertThat(waiting).isCompletedWithValue(true);
        assertThat(input.close()).isNotDone(); // the admitted batch is awaited by the next barrier
    }

    @Test
    void aBatchWaitingAtTheFinalBarrierOfAPartitionLetGoIsRefused() {
        InputPartition input = batchInput();
        input.close();
        CompletableFuture<Boolean> waiting = input.admitOrWait(104, 1);

        input.retire();

        assertThat(waiting).isCompletedWithValue(false);
        assertThat(input.close()).isCompletedWithValue(100L); // not counted: the final checkpoint ends before it
    }

    @Test
    void aPartitionLetGoStaysClosedWhenItsFinalBarrierEnds() {
        InputPartition input = batchInput();
        input.retire();
        CompletableFuture<Long> finalBarrier = input.close();

        assertThat(input.open()).isFalse();
        assertThat(input.admitOrWait(104, 1)).isCompletedWithValue(false);
        assertThat(input.admit(105, 1)).isFalse();
        assertThat(finalBarrier).isCompletedWithValue(100L);
        assertThat(input.changedSince(100)).isFalse();
    }

    @Test
    void aPerRecordPartitionLetGoAdmitsNothingAfterItsFinalBarrier() {
        InputPartition input = new InputPartition(WORDS_2, 2, 1, 100, Long.MIN_VALUE, false);
        assertThat(input.admit(100, 1)).isTrue();
        input.retire();

        assertThat(input.admit(101, 1)).isFalse();
        assertThat(input.open()).isFalse();
        assertThat(input.admit(102, 1)).isFalse();
        CompletableFuture<Long> finalBarrier = input.close();
        assertThat(finalBarrier).isNotDone(); // the record admitted before it
        input.acknowledged();
        assertThat(finalBarrier).isCompletedWithValue(101L);
    }

    private static InputPartition batchInput() {
        return new InputPartition(WORDS_2, 2, 1, 100, Long.MIN_VALUE, true);
    }
}
