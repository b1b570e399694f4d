package io.keyedstate.runtime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Bad configuration fails startup before anything is created, naming the property, its value and what it accepts. */
class ConfigChecksTest {

    @Test
    void theDefaultsPass() {
        assertThatCode(() -> check(Map.of(), true)).doesNotThrowAnyException();
    }

    @Test
    void aHeapWithoutFullSnapshotsIsRefused() {
        assertThatThrownBy(() -> check(Map.of("quarkus.keyed-state.heap.full-snapshot-every", "0"), false))
                .hasMessage("quarkus.keyed-state.heap.full-snapshot-every=0: it must be at least 1 (1 stores every"
                        + " checkpoint in full)");
    }

    @Test
    void keepingNoCheckpointIsRefused() {
        assertThatThrownBy(() -> check(Map.of("quarkus.keyed-state.checkpoint.retained", "0"), false))
                .hasMessage("quarkus.keyed-state.checkpoint.retained=0: at least 1 checkpoint must be kept");
    }

    @Test
    void aSavepointNameThatIsNotOneIsRefused() {
        assertThatThrownBy(() -> check(Map.of("quarkus.keyed-state.checkpoint.restore-from", "../up"), false))
                .hasMessageStartingWith("quarkus.keyed-state.checkpoint.restore-from=../up: ");
    }

    @Test
    void s3NeedsItsBucketAndKeysAndPartsOfFiveMebibytes() {
        Map<String, String> s3 = new HashMap<>(Map.of("quarkus.keyed-state.checkpoint.storage", "s3",
                "quarkus.keyed-state.checkpoint.s3.endpoint", "http://localhost:9000",
                "quarkus.keyed-state.checkpoint.s3.access-key", "key",
                "quarkus.keyed-state.checkpoint.s3.secret-key", "secret"));
        assertThatThrownBy(() -> check(s3, false)).hasMessage(
                "quarkus.keyed-state.checkpoint.s3.bucket must be set when quarkus.keyed-state.checkpoint.storage=s3");
        s3.put("quarkus.keyed-state.checkpoint.s3.bucket", "checkpoints");
        s3.put("quarkus.keyed-state.checkpoint.s3.part-size", "1M");
        assertThatThrownBy(() -> check(s3, false)).hasMessage("quarkus.keyed-state.checkpoint.s3.part-size=1048576: S3"
                + " needs parts of at least 5 MiB (16M to 64M is a good range)");
        s3.put("quarkus.keyed-state.checkpoint.s3.part-size", "16M");
        assertThatCode(() -> check(s3, false)).doesNotThrowAnyException();
    }

    @Test
    void s3KeysComeInPairsAndASessionTokenWithThem() {
        Map<String, String> s3 = new HashMap<>(Map.of("quarkus.keyed-state.checkpoint.storage", "s3",
                "quarkus.keyed-state.checkpoint.s3.endpoint", "https://s3.eu-west-1.amazonaws.com",
                "quarkus.keyed-state.checkpoint.s3.bucket", "checkpoints"));
        assertThatCode(() -> check(s3, false)).as("no keys: taken from the environment, a profile or the platform")
                .doesNotThrowAnyException();
        s3.put("quarkus.keyed-state.checkpoint.s3.access-key", "key");
        assertThatThrownBy(() -> check(s3, false)).hasMessageStartingWith("quarkus.keyed-state.checkpoint.s3.secret-key"
                + " must be set with quarkus.keyed-state.checkpoint.s3.access-key");
        s3.remove("quarkus.keyed-state.checkpoint.s3.access-key");
        s3.put("quarkus.keyed-state.checkpoint.s3.session-token", "token");
        assertThatThrownBy(() -> check(s3, false)).hasMessageStartingWith("quarkus.keyed-state.checkpoint.s3.session-token"
                + " is set without quarkus.keyed-state.checkpoint.s3.access-key");
    }

    @Test
    void timerSettingsAreCheckedWhenThereAreTimers() {
        Map<String, String> timers = Map.of("quarkus.keyed-state.timers.max-per-round", "0");
        assertThatCode(() -> check(timers, false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> check(timers, true))
                .hasMessage("quarkus.keyed-state.timers.max-per-round=0: it must be positive");
        assertThatThrownBy(() -> check(Map.of("quarkus.keyed-state.timers.out-of-orderness", "-1s"), true))
                .hasMessage("quarkus.keyed-state.timers.out-of-orderness=PT-1S: it must not be negative");
    }

    @Test
    void aKeyedChannelMustCommitWithCheckpointsAndReadFixedTopics() {
        assertThatThrownBy(() -> check(Map.of("mp.messaging.incoming.words.commit-strategy", "latest"), false))
                .hasMessageStartingWith("mp.messaging.incoming.words.commit-strategy=latest, but channel 'words' has"
                        + " keyed state");
        assertThatThrownBy(() -> check(Map.of("mp.messaging.incoming.words.pattern", "true"), false))
                .hasMessageStartingWith("mp.messaging.incoming.words.pattern=true: a keyed channel needs fixed topics");
    }

    private static void check(Map<String, String> properties, boolean hasTimers) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(KeyedStateConfig.class)
                .build();
        ConfigChecks.requireValid(config.getConfigMapping(KeyedStateConfig.class), config, Set.of("words"), hasTimers);
    }
}
