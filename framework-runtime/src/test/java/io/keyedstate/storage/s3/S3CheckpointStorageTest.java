package io.keyedstate.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

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
        S3CheckpointStorage storage = new S3CheckpointStorage(new S3Settings(s3.endpoint(), s3.region(), "uploads", prefix,
                s3.accessKey(), s3.secretKey(), true, true, 5L << 20, 4, Duration.ofSeconds(5), Duration.ofSeconds(30), 3));
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

    private List<String> uploadIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Upload upload : client.listMultipartUploadsAsync("uploads", null, null, null, null, null, null, null, null, null)
                .get().result().uploads()) {
            ids.add(upload.uploadId());
        }
        return ids;
    }
}
