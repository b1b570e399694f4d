package io.keyedstate.deployment.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.testing.S3ProxyServer;
import io.quarkus.test.QuarkusUnitTest;

class UnknownTlsConfigurationFailsAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.of(Map.of(
            "quarkus.keyed-state.checkpoint.storage", "s3",
            "quarkus.keyed-state.checkpoint.s3.endpoint", S3ProxyServer.shared().secureEndpoint(),
            "quarkus.keyed-state.checkpoint.s3.bucket", "tls",
            "quarkus.keyed-state.checkpoint.s3.access-key", S3ProxyServer.shared().accessKey(),
            "quarkus.keyed-state.checkpoint.s3.secret-key", S3ProxyServer.shared().secretKey(),
            "quarkus.keyed-state.checkpoint.s3.tls-configuration-name", "private-ca"),
            "quarkus.keyed-state.checkpoint.s3.tls-configuration-name=private-ca", "quarkus.tls.private-ca.trust-store");

    @Test
    void startupFailsNamingThePropertyAndWhatToDefine() {
        // Asserted by the extension above.
    }
}
