package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** SmallRye Health lists keyed state's liveness and readiness checks, each under its own probe. */
class KeyedStateHealthChecksTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(IncrementalCheckpointScenario.Counter.class,
                    IncrementalCheckpointScenario.class, TestHttp.class))
            .overrideRuntimeConfigKey("quarkus.http.test-port", "0")
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.topic", "health-checks-listed");

    @Test
    void livenessSaysTheCheckpointScheduleIsOnTime() throws Exception {
        HttpResponse<String> live = TestHttp.send("http", "GET", "/q/health/live");

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"Keyed state checkpoints\"").contains("\"on time\"")
                .doesNotContain("\"Keyed state\"");
    }

    @Test
    void readinessHasTheRestoreAndCheckpointCheck() throws Exception {
        HttpResponse<String> ready = TestHttp.send("http", "GET", "/q/health/ready");

        assertThat(ready.body()).contains("\"Keyed state\"").doesNotContain("Keyed state checkpoints");
    }
}
