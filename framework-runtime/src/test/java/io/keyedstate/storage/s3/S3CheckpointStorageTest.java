package io.keyedstate.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.keyedstate.testing.S3ProxyServer;
import io.minio.MinioAsyncClient;
import io.minio.messages.Upload;

/** What only S3 storage has to do, on a real S3-protocol server. */
class S3CheckpointStorageTest {

    private final S3ProxyServer s3 = S3ProxyServer.shared();
    private final String prefix = "run-" + UUID.randomUUID();
    private final MinioAsyncClient client = MinioAsyncClient.builder().endpoint(s3.endpoint()).region(s3.region())
            .credentials(s3.accessKey(), s3.secretKey()).build();

    /** What a process killed in the middle of a large upload leaves: an upload with a part, never completed. */
    @Test
    void uploadsLeftIncompleteBeforeAGivenTimeAreAbortedAndNewerOnesKept() throws Exception {
        S3CheckpointStorage storage = new S3CheckpointStorage(settings(s3.endpoint(), null));
        try {
            storage.verifyBucket();
            String stale = client.createMultipartUploadAsync("uploads", null, prefix + "/app/words-0/shared/chk-1-g1-1.sst",
                    null, null).get().result().uploadId();
            client.uploadPartAsync("uploads", null, prefix + "/app/words-0/shared/chk-1-g1-1.sst", new byte[1024], 1024,
                    stale, 1, null, null).get();
            String elsewhere = client.createMultipartUploadAsync("uploads", null, "another-app/file", null, null).get()
                    .result().uploadId();
            assertThat(uploadIds()).contains(stale, elsewhere);

            assertThat(storage.abortIncompleteUploads(Instant.now().minus(Duration.ofHours(1)))).isZero();
            assertThat(uploadIds()).contains(stale);

            assertThat(storage.abortIncompleteUploads(Instant.now().plusSeconds(5))).isEqualTo(1);
            assertThat(uploadIds()).doesNotContain(stale).contains(elsewhere); // outside the prefix: not ours
        } finally {
            storage.close();
        }
    }

    @Test
    void anHttpsEndpointIsVerifiedAgainstTheGivenTrustStore() throws Exception {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(s3.trustStore())) {
            trustStore.load(in, S3ProxyServer.TRUST_STORE_PASSWORD.toCharArray());
        }
        S3CheckpointStorage trusting = new S3CheckpointStorage(settings(s3.secureEndpoint(), trustStore));
        try {
            trusting.verifyBucket();
            trusting.writeAtomically("app/words-0/chk-1-g1/_manifest", new byte[] { 1, 2, 3 });
            assertThat(trusting.read("app/words-0/chk-1-g1/_manifest")).containsExactly(1, 2, 3);
        } finally {
            trusting.close();
        }
        // The JVM's own CAs do not trust a self-signed certificate.
        S3CheckpointStorage untrusting = new S3CheckpointStorage(settings(s3.secureEndpoint(), null));
        try {
            assertThatThrownBy(untrusting::verifyBucket).isInstanceOf(IOException.class)
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        } finally {
            untrusting.close();
        }
    }

    private S3Settings settings(String endpoint, KeyStore trustStore) {
        return new S3Settings(endpoint, s3.region(), "uploads", prefix, s3.accessKey(), s3.secretKey(), true, true, 5L << 20,
                4, Duration.ofSeconds(5), Duration.ofSeconds(30), 1, trustStore);
    }

    private List<String> uploadIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Upload upload : client.listMultipartUploadsAsync("uploads", null, null, null, null, null, null, null, null, null)
                .get().result().uploads()) {
            ids.add(upload.uploadId());
        }
        return ids;
    }
}
