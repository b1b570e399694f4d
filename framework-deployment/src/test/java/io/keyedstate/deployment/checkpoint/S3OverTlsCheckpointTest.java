package io.keyedstate.deployment.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.QuarkusUnitTest;

/** An https S3 endpoint with a self-signed certificate, trusted through a TLS configuration of the Quarkus TLS registry. */
class S3OverTlsCheckpointTest {

    private static final String TOPIC = "s3-over-tls";

    @RegisterExtension
    static final QuarkusUnitTest app = IncrementalCheckpointScenario.app("heap", TOPIC)
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.endpoint", S3ProxyServer.shared().secureEndpoint())
            .overrideRuntimeConfigKey("quarkus.keyed-state.checkpoint.s3.tls-configuration-name", "checkpoints")
            .overrideRuntimeConfigKey("quarkus.tls.checkpoints.trust-store.p12.path", S3ProxyServer.shared().trustStore().toString())
            .overrideRuntimeConfigKey("quarkus.tls.checkpoints.trust-store.p12.password", S3ProxyServer.TRUST_STORE_PASSWORD);

    @Inject
    IncrementalCheckpointScenario.Counter counter;

    @Inject
    KeyedStateCheckpoints checkpoints;

    @Test
    void checkpointsGoToAnHttpsEndpointThatTheNamedTrustStoreTrusts() throws Exception {
        IncrementalCheckpointScenario.produce(counter, TOPIC, 0, 100);
        List<CheckpointInfo> taken = checkpoints.checkpoint().toCompletableFuture().get();
        assertThat(taken).isNotEmpty();
        assertThat(taken.stream().mapToLong(manifest -> manifest.offsets().values().stream().mapToLong(Long::longValue).sum())
                .sum()).isEqualTo(100);
    }
}
