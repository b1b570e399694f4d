package io.keyedstate.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Which topics each keyed channel reads, as SmallRye resolves them from the channel's
 * configuration ({@code topics}, else {@code topic}, else the channel's name), and which keyed
 * channels read each topic.
 */
final class KeyedChannelTopics {

    /** Per keyed channel, its topics, sorted. */
    private final Map<String, List<String>> topicsOfChannel = new TreeMap<>();
    /** Per topic, the keyed channels that read it, sorted. */
    private final Map<String, List<String>> channelsOfTopic = new HashMap<>();

    KeyedChannelTopics(Set<String> channels) {
        Config mp = ConfigProvider.getConfig();
        for (String channel : channels) {
            String prefix = "mp.messaging.incoming." + channel + ".";
            List<String> topics = mp.getOptionalValue(prefix + "topics", String.class)
                    .map(names -> Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                            .sorted().distinct().toList())
                    .orElseGet(() -> List.of(mp.getOptionalValue(prefix + "topic", String.class).orElse(channel)));
            topicsOfChannel.put(channel, topics);
        }
        topicsOfChannel.forEach((channel, topics) -> topics.forEach(
                topic -> channelsOfTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(channel)));
    }

    /** Per keyed channel, its topics. */
    Map<String, List<String>> byChannel() {
        return topicsOfChannel;
    }

    /** The keyed channels that read {@code topic}, empty if none does. */
    List<String> channelsReading(String topic) {
        return channelsOfTopic.getOrDefault(topic, List.of());
    }
}
