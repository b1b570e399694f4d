package io.keyedstate.deployment.devui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.keyedstate.KeyedState;
import io.keyedstate.ValueState;
import io.quarkus.devui.tests.DevUIJsonRPCTest;
import io.quarkus.test.QuarkusDevModeTest;
import io.smallrye.reactive.messaging.kafka.Record;

/** The Dev UI card's JSON-RPC methods, called in dev mode as the card calls them. */
class KeyedStateDevUiTest extends DevUIJsonRPCTest {

    @RegisterExtension
    static final QuarkusDevModeTest app = new QuarkusDevModeTest()
            .withApplicationRoot(root -> root.addClass(Counter.class).addAsResource(new StringAsset("""
                    mp.messaging.incoming.dev-ui-words.connector=smallrye-kafka
                    mp.messaging.incoming.dev-ui-words.topic=dev-ui-words
                    quarkus.keyed-state.checkpoint.interval=1h
                    """), "application.properties"));

    KeyedStateDevUiTest() {
        super("quarkus-keyed-state");
    }

    @ApplicationScoped
    public static class Counter {

        @KeyedState
        ValueState<Long> count;

        @Incoming("dev-ui-words")
        public void count(Record<String, String> word) {
            count.set(count.getOrDefault(0L) + 1);
        }
    }

    @Test
    void theCardShowsTheShardsAndTakesASavepointThatStorageThenLists() throws Exception {
        // The embedded broker creates the topic with four partitions; the group assigns them all here.
        await().atMost(Duration.ofMinutes(2)).until(() -> executeJsonRPCMethod(Integer.class, "getShardCount") == 4);

        JsonNode shards = executeJsonRPCMethod("getShards");
        assertThat(shards).hasSize(4);
        JsonNode first = shards.get(0);
        assertThat(first.get("channel").asText()).isEqualTo("dev-ui-words");
        assertThat(first.get("partition").asText()).isEqualTo("dev-ui-words-0");
        assertThat(first.get("backend").asText()).isEqualTo("heap");
        assertThat(first.get("status").asText()).isEqualTo("processing");
        assertThat(first.has("stateBytes")).isTrue();
        assertThat(first.has("timersPending")).isTrue();
        assertThat(first.get("lastCheckpoint").asText()).isEqualTo("none yet");

        JsonNode taken = executeJsonRPCMethod("takeSavepoint", Map.of("name", "from-dev-ui"));
        assertThat(taken).hasSize(4);

        JsonNode checkpoints = executeJsonRPCMethod("getCheckpoints");
        assertThat(checkpoints).filteredOn(checkpoint -> checkpoint.get("savepoint").asBoolean()).hasSize(4)
                .allSatisfy(checkpoint -> {
                    assertThat(checkpoint.get("folder").asText()).isEqualTo("savepoints/from-dev-ui");
                    assertThat(checkpoint.get("offsets").asText()).startsWith("{dev-ui-words-");
                });
    }
}
