package io.keyedstate.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a shard's checkpoints and savepoints are stored, below the application's folder:
 *
 * <pre>
 * channels/&lt;channel&gt;/&lt;topics&gt;-&lt;p&gt;/chk-...    one folder per checkpoint
 * channels/&lt;channel&gt;/&lt;topics&gt;-&lt;p&gt;/shared/    files shared between checkpoints
 * savepoints/&lt;name&gt;/channels/&lt;channel&gt;/&lt;topics&gt;-&lt;p&gt;/
 * </pre>
 *
 * The channel is part of the path because several keyed channels (in consumer groups of their
 * own) may read one topic, each with its own state. Before that was allowed, a shard's folder was
 * named after its topics alone ({@code <topics>-<p>}, {@code savepoints/<name>/<topics>-<p>}): the
 * previous layout. Such a folder could only have been written by a channel reading exactly those
 * topics, so a channel that reads them and has no checkpoint of its own takes it over. If several
 * channels now read exactly those topics, which one wrote it is configuration
 * ({@code checkpoint.previous-layout-channel}), never a guess.
 */
final class StorageLayout {

    static final String CHANNELS = "channels";
    static final String SAVEPOINTS = "savepoints";
    static final String PREVIOUS_LAYOUT_PROPERTY = "quarkus.keyed-state.checkpoint.previous-layout-channel";

    /**
     * The storage paths of one shard, relative to the application's folder.
     *
     * @param name {@code <topics>-<p>}, how logs name the shard
     * @param path its folder: {@code channels/<channel>/<topics>-<p>}
     * @param previousPath its folder in the previous layout, which it takes over while it has no
     *        checkpoint of its own; null if another channel's
     * @param previousLayoutConflict why a checkpoint found at {@code previousPath} cannot be taken
     *        over (several channels read these topics and configuration does not say whose it is);
     *        null if it can
     */
    record ShardPaths(String name, String path, String previousPath, String previousLayoutConflict) {
    }

    private final Map<String, List<String>> channelTopics;
    private final Optional<String> previousLayoutChannel;

    /**
     * @param channelTopics per keyed channel, its topics, sorted
     * @param previousLayoutChannel the channel that wrote the previous layout's folders of topics
     *        that several channels now read
     */
    StorageLayout(Map<String, List<String>> channelTopics, Optional<String> previousLayoutChannel) {
        this.channelTopics = Map.copyOf(channelTopics);
        this.previousLayoutChannel = previousLayoutChannel;
        previousLayoutChannel.filter(channel -> !channelTopics.containsKey(channel)).ifPresent(channel -> {
            throw new IllegalArgumentException(PREVIOUS_LAYOUT_PROPERTY + "=" + channel + ": not a keyed channel; the keyed"
                    + " channels are " + String.join(", ", new java.util.TreeSet<>(channelTopics.keySet())));
        });
    }

    ShardPaths shard(String channel, int partition) {
        List<String> topics = channelTopics.get(channel);
        String name = String.join("+", topics) + "-" + partition;
        String path = CHANNELS + "/" + folderName(channel) + "/" + name;
        List<String> sameTopics = channelTopics.entrySet().stream().filter(entry -> entry.getValue().equals(topics))
                .map(Map.Entry::getKey).sorted().toList();
        if (sameTopics.size() == 1) {
            return new ShardPaths(name, path, name, null);
        }
        if (previousLayoutChannel.isPresent()) {
            return new ShardPaths(name, path, previousLayoutChannel.get().equals(channel) ? name : null, null);
        }
        return new ShardPaths(name, path, name, "it is stored in the layout used before each keyed channel had a folder"
                + " of its own, and keyed channels " + sameTopics.stream().map(c -> "'" + c + "'").collect(
                        Collectors.joining(", "))
                + " all read " + String.join(", ", topics) + ": set " + PREVIOUS_LAYOUT_PROPERTY
                + " to the channel that wrote it");
    }

    /**
     * {@code channel} as one folder name: letters, digits, {@code _}, {@code -} and inner
     * {@code .} as they are, any other character (a separator, a leading dot) as {@code %XX} of its
     * UTF-8 bytes, so that no channel name leads outside its folder or onto another's.
     */
    static String folderName(String channel) {
        StringBuilder name = new StringBuilder();
        byte[] bytes = channel.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_'
                    || b == '-' || (b == '.' && i > 0);
            if (plain) {
                name.append((char) b);
            } else {
                name.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return name.toString();
    }
}
