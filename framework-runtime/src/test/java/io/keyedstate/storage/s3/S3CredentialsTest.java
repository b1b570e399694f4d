package io.keyedstate.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import io.keyedstate.testing.S3ProxyServer;
import io.minio.credentials.Provider;

/** Each source of S3 credentials that can run here, against a real S3-protocol server. */
class S3CredentialsTest {

    /** Nothing answers here: the instance-metadata source fails at once, as it does off a cloud. */
    private static final String NO_METADATA = "http://127.0.0.1:1";
    private static final S3Credentials.Configured NOTHING_CONFIGURED = new S3Credentials.Configured(Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    private final S3ProxyServer s3 = S3ProxyServer.shared();

    @TempDir
    Path dir;

    @Test
    void keysInTheEnvironmentReachTheStore() throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey());

        writesAndReads(S3Credentials.resolve(NOTHING_CONFIGURED, env::get, NO_METADATA));
    }

    @Test
    void aProfileOfTheSharedCredentialsFileReachesTheStore() throws Exception {
        Path file = dir.resolve("credentials");
        Files.writeString(file, "[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[checkpoints]\n"
                + "aws_access_key_id = " + s3.accessKey() + "\naws_secret_access_key = " + s3.secretKey() + "\n");

        // Named in configuration...
        writesAndReads(S3Credentials.resolve(new S3Credentials.Configured(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("checkpoints"), Optional.of(file)), Map.<String, String>of()::get, NO_METADATA));
        // ...or by the environment, as AWS's own tools read it.
        Map<String, String> env = Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString(), "AWS_PROFILE", "checkpoints");
        writesAndReads(S3Credentials.resolve(NOTHING_CONFIGURED, env::get, NO_METADATA));
    }

    @Test
    void configuredKeysWinAndTheirSessionTokenGoesWithEveryRequest() throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "not-these", "AWS_SECRET_ACCESS_KEY", "not-these");
        Provider provider = S3Credentials.resolve(new S3Credentials.Configured(Optional.of("key"), Optional.of("secret"),
                Optional.of("session-token"), Optional.empty(), Optional.empty()), env::get, NO_METADATA);
        assertThat(provider.fetch().accessKey()).isEqualTo("key");

        // The S3 test server has no session tokens (it refuses requests that carry one), so what is sent is
        // looked at here, by a server that records the request and answers with an error.
        BlockingQueue<Headers> requests = new LinkedBlockingQueue<>();
        HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        recorder.createContext("/", exchange -> {
            requests.add(exchange.getRequestHeaders());
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        recorder.start();
        S3CheckpointStorage storage = storage("http://127.0.0.1:" + recorder.getAddress().getPort(), provider);
        try {
            assertThatThrownBy(storage::verifyBucket).isInstanceOf(IOException.class);
        } finally {
            storage.close();
            recorder.stop(0);
        }
        Headers sent = requests.poll();
        assertThat(sent).isNotNull();
        assertThat(sent.getFirst("X-Amz-Security-Token")).isEqualTo("session-token");
        assertThat(sent.getFirst("Authorization")).contains("Credential=key/").contains("x-amz-security-token");
    }

    @Test
    void noCredentialsAnywhereFailNamingEverySourceTriedAndWhy() {
        Path missing = dir.resolve("no-such-file");
        S3Credentials.Configured configured = new S3Credentials.Configured(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(missing));
        long started = System.nanoTime();

        assertThatThrownBy(() -> S3Credentials.resolve(configured, Map.of("AWS_ACCESS_KEY_ID", "only-half")::get,
                NO_METADATA))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quarkus.keyed-state.checkpoint.s3.access-key")
                .hasMessageContaining("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN):"
                        + " AWS_SECRET_ACCESS_KEY is not set, the other is")
                .hasMessageContaining("profile 'default' of the credentials file " + missing)
                .hasMessageContaining("no such file")
                .hasMessageContaining("web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), container (ECS) or"
                        + " instance (EC2) metadata: ");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    private void writesAndReads(Provider credentials) throws Exception {
        S3CheckpointStorage storage = storage(s3.endpoint(), credentials);
        try {
            storage.verifyBucket();
            storage.writeAtomically("app/words-0/chk-1-g1/_manifest", new byte[] { 4, 2 });
            assertThat(storage.read("app/words-0/chk-1-g1/_manifest")).containsExactly(4, 2);
        } finally {
            storage.close();
        }
    }

    private S3CheckpointStorage storage(String endpoint, Provider credentials) {
        return new S3CheckpointStorage(new S3Settings(endpoint, s3.region(), "credentials", "run-" + UUID.randomUUID(),
                credentials, true, true, 5L << 20, 2, Duration.ofSeconds(5), Duration.ofSeconds(30), 1, null));
    }
}
