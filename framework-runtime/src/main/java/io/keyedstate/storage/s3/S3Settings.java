package io.keyedstate.storage.s3;

import java.security.KeyStore;
import java.time.Duration;

import io.minio.credentials.Provider;
import io.minio.credentials.StaticProvider;

/**
 * How to reach an S3-compatible store.
 *
 * @param credentials what requests are signed with (see {@link S3Credentials})
 * @param prefix the key prefix under which everything is stored, without a trailing '/'; may be empty
 * @param pathStyle {@code bucket} in the path ({@code http://host/bucket/key}, MinIO and most S3-compatible
 *        stores) rather than in the host name (AWS S3's virtual-hosted style)
 * @param partSize the part size of multipart uploads, so that no file is ever held in memory whole
 * @param connections concurrent requests to the store, which parallel uploads need
 * @param trustStore the certificates that verify an {@code https} endpoint; null for the JVM's trusted CAs
 */
public record S3Settings(String endpoint, String region, String bucket, String prefix, Provider credentials,
        boolean pathStyle, boolean createBucket, long partSize, int connections, Duration connectTimeout,
        Duration requestTimeout, int attempts, KeyStore trustStore) {

    /** Settings with static keys. */
    public S3Settings(String endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
            boolean pathStyle, boolean createBucket, long partSize, int connections, Duration connectTimeout,
            Duration requestTimeout, int attempts, KeyStore trustStore) {
        this(endpoint, region, bucket, prefix, new StaticProvider(accessKey, secretKey, null), pathStyle, createBucket,
                partSize, connections, connectTimeout, requestTimeout, attempts, trustStore);
    }

    /** Settings with static keys, whose {@code https} endpoint is verified against the JVM's trusted CAs. */
    public S3Settings(String endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
            boolean pathStyle, boolean createBucket, long partSize, int connections, Duration connectTimeout,
            Duration requestTimeout, int attempts) {
        this(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, createBucket, partSize, connections,
                connectTimeout, requestTimeout, attempts, null);
    }

    /** Without the credentials, so that logging the settings never leaks them. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", credentials=***, pathStyle=" + pathStyle + ", partSize=" + partSize + "]";
    }
}
