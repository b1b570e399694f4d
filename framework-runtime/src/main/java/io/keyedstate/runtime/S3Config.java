package io.keyedstate.runtime;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Checkpoints in S3: the {@code quarkus.keyed-state.checkpoint.s3.*} properties. */
@ConfigGroup
public interface S3Config {

    /** The store's URL, for example `http://localhost:9000` (MinIO) or `https://s3.eu-west-1.amazonaws.com`. */
    Optional<String> endpoint();

    /**
     * The bucket's region. Without it, the region an AWS endpoint names (`s3.eu-west-1.amazonaws.com`),
     * else `AWS_REGION` or `AWS_DEFAULT_REGION`, else `us-east-1` (what MinIO and most
     * S3-compatible stores accept).
     */
    Optional<String> region();

    /** The bucket checkpoints go to. */
    Optional<String> bucket();

    /** Whether a missing bucket is created at startup; if not, a missing bucket fails the startup. */
    @WithDefault("true")
    boolean createBucket();

    /** A key prefix under which this application's checkpoints are stored, for sharing a bucket. */
    Optional<String> prefix();

    /**
     * The access key; `QUARKUS_KEYED_STATE_CHECKPOINT_S3_ACCESS_KEY` in the environment works
     * too. Outside dev mode a secret: left out of configuration listings and dumps. Without it and
     * the secret key, credentials come from the first of these that has them: the environment
     * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), a profile of the shared
     * credentials file, web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`, as a
     * Kubernetes service account provides them), container (ECS) or instance (EC2) metadata.
     */
    Optional<String> accessKey();

    /**
     * The secret key; `QUARKUS_KEYED_STATE_CHECKPOINT_S3_SECRET_KEY` in the environment works
     * too. Never logged; outside dev mode a secret: left out of configuration listings and dumps.
     */
    Optional<String> secretKey();

    /**
     * The session token of temporary credentials, with the access and secret keys. Outside dev
     * mode a secret, like them.
     */
    Optional<String> sessionToken();

    /** The profile of the shared credentials file to read, when no keys are configured; else `AWS_PROFILE`, else `default`. */
    Optional<String> profile();

    /**
     * The shared credentials file, when no keys are configured; else `AWS_SHARED_CREDENTIALS_FILE`,
     * else `~/.aws/credentials`.
     */
    Optional<java.nio.file.Path> credentialsFile();

    /**
     * The name of a TLS configuration of the Quarkus TLS registry (`quarkus.tls.<name>.trust-store.*`)
     * whose trust store verifies an `https` endpoint: for a store whose certificate a private
     * CA signed, or a self-signed one. Without it, `https` endpoints are verified against the
     * JVM's trusted CAs.
     */
    Optional<String> tlsConfigurationName();

    /**
     * Whether the bucket goes into the path (`http://host/bucket/key`), as MinIO and most
     * S3-compatible stores expect, rather than into the host name (AWS S3's virtual-hosted style).
     */
    @WithDefault("true")
    boolean pathStyle();

    /** The part size of multipart uploads: files are streamed from disk in parts of this size. */
    @WithDefault("16M")
    MemorySize partSize();

    /** How long connecting to the store may take. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** How long a single request (one part, one small object) may take. */
    @WithDefault("60s")
    Duration requestTimeout();

    /** How often a request that failed transiently (I/O error, 5xx, throttling) is tried, backing off exponentially. */
    @WithDefault("4")
    int attempts();
}
