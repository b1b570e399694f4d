package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Without {@code quarkus.keyed-state.savepoint-endpoint.enabled} no request takes a savepoint; the listing stays. */
class SavepointEndpointDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(IncrementalCheckpointScenario.Counter.class,
                    IncrementalCheckpointScenario.class, TestHttp.class))
            .overrideRuntimeConfigKey("quarkus.http.test-port", "0")
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.interval", "1h")
            .overrideRuntimeConfigKey("mp.messaging.incoming.counts.topic", "savepoint-endpoint-disabled");

    @Test
    void theSavepointEndpointAnswers404AndTheListingIsServed() throws Exception {
        assertThat(send("POST", "/q/keyed-state/savepoints/before-upgrade").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/q/keyed-state/savepoints/before-upgrade").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/q/keyed-state/checkpoints").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return TestHttp.send("http", method, path);
    }
}
