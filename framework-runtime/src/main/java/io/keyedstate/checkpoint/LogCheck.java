package io.keyedstate.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;

/**
 * Whether a restored checkpoint still fits the log it was taken from. Its offsets mean something
 * only in the topic that was there when it was taken (the same topic id) and only while the log
 * still holds every record from them on: from the partition's log start to its end.
 */
final class LogCheck {

    /** What the check found. */
    sealed interface Verdict {
    }

    /**
     * The checkpoint fits the log: the same topics (or topic ids not known on one side), each
     * offset from the log start to the log end, both included.
     */
    record Fits() implements Verdict {
    }

    /** A topic of the checkpoint was deleted and created again: its offsets belong to a topic that is gone. */
    record Recreated(List<Change> topics) implements Verdict {
        String describe() {
            return topics.stream().map(change -> "topic " + change.topic() + " had id " + change.recordedId()
                    + " and has id " + change.currentId() + " now").collect(java.util.stream.Collectors.joining("; "));
        }
    }

    /** A topic's id as the checkpoint recorded it and as the broker has it now. */
    record Change(String topic, String recordedId, String currentId) {
    }

    /** The same topic, but the checkpoint's offset is past its end: the log was truncated. */
    record BeyondLogEnd(TopicPartition partition, long recorded, long end) implements Verdict {
        String reason() {
            return "records offset " + recorded + " of " + partition + ", but that partition ends at " + end
                    + ": its log was truncated (an unclean leader election), or the topic deleted and created again";
        }
    }

    /** The same topic, but retention deleted records after the checkpoint's offset: replay cannot make the state exact. */
    record BelowLogStart(TopicPartition partition, long recorded, long start) implements Verdict {
        String reason() {
            return "records offset " + recorded + " of " + partition + ", but that partition now starts at offset " + start
                    + ": the records from " + recorded + " to " + (start - 1) + " were deleted (retention) before they"
                    + " were processed, so replaying the partition cannot make the state exact";
        }
    }

    private LogCheck() {
    }

    /**
     * Checks a checkpoint's {@code offsets} (per {@code topic-partition}) and {@code recordedIds}
     * (per topic) against the topics' {@code currentIds} and the partitions' log start and end
     * offsets, which are read (through {@code beginnings} and {@code ends}) only if no topic was
     * created again. A topic whose id is not known on either side is checked by its offsets alone.
     */
    static Verdict check(Map<String, Long> offsets, Map<String, String> recordedIds, Map<String, String> currentIds,
            Function<Set<TopicPartition>, Map<TopicPartition, Long>> beginnings,
            Function<Set<TopicPartition>, Map<TopicPartition, Long>> ends) {
        List<Change> recreated = recreated(recordedIds, currentIds);
        if (!recreated.isEmpty()) {
            return new Recreated(recreated);
        }
        Map<TopicPartition, Long> recorded = new LinkedHashMap<>();
        offsets.forEach((name, offset) -> recorded.put(topicPartition(name), offset));
        if (recorded.isEmpty()) {
            return new Fits();
        }
        Map<TopicPartition, Long> endOffsets = ends.apply(recorded.keySet());
        for (Map.Entry<TopicPartition, Long> entry : recorded.entrySet()) {
            Long end = endOffsets.get(entry.getKey());
            if (end != null && entry.getValue() > end) {
                return new BeyondLogEnd(entry.getKey(), entry.getValue(), end);
            }
        }
        Map<TopicPartition, Long> startOffsets = beginnings.apply(recorded.keySet());
        for (Map.Entry<TopicPartition, Long> entry : recorded.entrySet()) {
            Long start = startOffsets.get(entry.getKey());
            if (start != null && entry.getValue() < start) {
                return new BelowLogStart(entry.getKey(), entry.getValue(), start);
            }
        }
        return new Fits();
    }

    /** The topics whose id is known on both sides and differs: deleted and created again. */
    static List<Change> recreated(Map<String, String> recordedIds, Map<String, String> currentIds) {
        List<Change> recreated = new ArrayList<>();
        recordedIds.forEach((topic, recorded) -> {
            String current = currentIds.get(topic);
            if (current != null && !current.equals(recorded)) {
                recreated.add(new Change(topic, recorded, current));
            }
        });
        return recreated;
    }

    /** {@code <topic>-<partition>}, as manifests name input partitions. */
    static TopicPartition topicPartition(String name) {
        int dash = name.lastIndexOf('-');
        return new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
    }
}
