package io.keyedstate.checkpoint;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint's folder name, {@code chk-<n>-g<generation>}. The sequence number orders
 * checkpoints of a partition across owners; the generation keeps the names of two owners apart
 * when a stale one (a zombie) writes the same number, so neither can overwrite the other's files.
 */
record CheckpointId(long n, int generation) {

    private static final Pattern NAME = Pattern.compile("chk-(\\d+)-g(-?\\d+)");

    /** Newest first. */
    static final Comparator<CheckpointId> NEWEST_FIRST = Comparator.comparingLong(CheckpointId::n)
            .thenComparingInt(CheckpointId::generation).reversed();

    static Optional<CheckpointId> parse(String name) {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new CheckpointId(Long.parseLong(matcher.group(1)), Integer.parseInt(matcher.group(2))));
    }

    String name() {
        return "chk-" + n + "-g" + generation;
    }
}
