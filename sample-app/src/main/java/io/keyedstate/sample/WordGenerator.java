package io.keyedstate.sample;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.Record;

/** The built-in load: random words at {@code app.generator.rate} records per second. */
@ApplicationScoped
public class WordGenerator {

    private static final Logger LOG = Logger.getLogger(WordGenerator.class);
    private static final Duration TICK = Duration.ofMillis(100);
    private static final List<String> WORDS = List.of(
            "kafka", "quarkus", "state", "checkpoint", "barrier", "offset", "partition", "shard",
            "rocksdb", "heap", "snapshot", "manifest", "restore", "rebalance", "key", "value");

    @ConfigProperty(name = "app.generator.enabled")
    boolean enabled;

    @ConfigProperty(name = "app.generator.rate")
    int recordsPerSecond;

    @Outgoing("generated-words")
    public Multi<Record<String, String>> generate() {
        if (!enabled) {
            LOG.info("Load generator disabled (app.generator.enabled=false)");
            return Multi.createFrom().empty();
        }
        LOG.infof("Load generator on: %d records/s to the words topic (app.generator.enabled=false turns it off)",
                recordsPerSecond);
        int perTick = Math.max(1, recordsPerSecond / (int) (1000 / TICK.toMillis()));
        return Multi.createFrom().ticks().every(TICK)
                .onOverflow().drop()
                .onItem().transformToMultiAndConcatenate(tick -> Multi.createFrom().range(0, perTick))
                .map(i -> {
                    String word = WORDS.get(ThreadLocalRandom.current().nextInt(WORDS.size()));
                    return Record.of(word, word);
                });
    }
}
