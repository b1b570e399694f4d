package io.keyedstate.checkpoint;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint's folder name, {@code chk-<n>-g<generation>-<owner>}. The generation is the
 * consumer-group generation of the owner that wrote it: it ranks checkpoints, so a stale owner (a
 * zombie) that goes on writing after a rebalance can never be chosen over the new owner. The owner
 * is a token drawn once per process: with static group membership two incarnations of one member
 * share a generation, and the token keeps their names apart, so neither can overwrite the other's
 * files. The sequence number orders the checkpoints of one generation and grows across owners.
 * Names without an owner, from before it was added, still parse.
 */
record CheckpointId(long n, int generation, String owner) {

    private static final Pattern NAME = Pattern.compile("chk-(\\d+)-g(-?\\d+)(?:-([a-z0-9]+))?");

    /**
     * Newest first, as seen by an owner in generation {@code current}: higher generations first,
     * then higher numbers. A generation above the current one is from before the consumer group
     * was deleted and created again (generations start over): such checkpoints rank below every
     * checkpoint of the group as it is now.
     */
    static Comparator<CheckpointId> newestFirst(int current) {
        Comparator<CheckpointId> oldestFirst = Comparator
                .comparingInt((CheckpointId id) -> id.generation <= current ? 1 : 0)
                .thenComparingInt(id -> id.generation <= current ? id.generation : 0)
                .thenComparingLong(CheckpointId::n);
        return oldestFirst.reversed();
    }

    static Optional<CheckpointId> parse(String name) {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new CheckpointId(Long.parseLong(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                matcher.group(3)));
    }

    String name() {
        return "chk-" + n + "-g" + generation + (owner == null ? "" : "-" + owner);
    }

    /** A token for the owner names of one process: random, so it differs across restarts and hosts. */
    static String newOwnerToken() {
        return Long.toString(java.util.UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE, 36);
    }
}
