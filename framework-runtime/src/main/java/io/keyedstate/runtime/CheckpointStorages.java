package io.keyedstate.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;

import org.jboss.logging.Logger;

import io.keyedstate.storage.CheckpointStorage;
import io.keyedstate.storage.StorageUnavailableException;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;
import io.keyedstate.storage.s3.S3CheckpointStorage;
import io.keyedstate.storage.s3.S3Credentials;
import io.keyedstate.storage.s3.S3Region;
import io.keyedstate.storage.s3.S3Settings;
import io.quarkus.arc.Arc;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/** Creates the configured checkpoint storage, from configuration {@link ConfigChecks} has checked. */
final class CheckpointStorages {

    private static final Logger LOG = Logger.getLogger(CheckpointStorages.class);

    private CheckpointStorages() {
    }

    static CheckpointStorage create(CheckpointConfig config) {
        return switch (config.storage()) {
            case FILESYSTEM -> new FilesystemCheckpointStorage(config.filesystem().path().orElseGet(
                    () -> Path.of(System.getProperty("java.io.tmpdir"), "quarkus-keyed-state", "checkpoints")));
            case S3 -> s3(config);
        };
    }

    private static S3CheckpointStorage s3(CheckpointConfig config) {
        S3Config s3 = config.s3();
        String endpoint = s3.endpoint().orElseThrow();
        S3Settings settings = new S3Settings(endpoint, S3Region.of(s3.region(), endpoint, System::getenv),
                s3.bucket().orElseThrow(), s3.prefix().orElse("").replaceAll("^/+|/+$", ""),
                S3Credentials.resolve(new S3Credentials.Configured(s3.accessKey(), s3.secretKey(), s3.sessionToken(),
                        s3.profile(), s3.credentialsFile()), System::getenv, null),
                s3.pathStyle(), s3.createBucket(), s3.partSize().asLongValue(), config.uploadThreads(), s3.connectTimeout(),
                s3.requestTimeout(), s3.attempts(), s3.tlsConfigurationName().map(CheckpointStorages::trustStore).orElse(null));
        S3CheckpointStorage storage = new S3CheckpointStorage(settings);
        try {
            storage.verifyBucket();
        } catch (StorageUnavailableException e) {
            // An outage is not a configuration error: checkpoints fail, and restores wait, until it ends.
            LOG.warnf("Checkpoint storage %s does not answer at startup (%s): checkpoints fail and restores wait until"
                    + " it does", storage.describe(), e.getMessage());
        } catch (IOException e) {
            storage.close();
            throw new IllegalStateException("quarkus.keyed-state.checkpoint.storage=s3: cannot use bucket '"
                    + settings.bucket() + "' at " + settings.endpoint() + ": " + e.getMessage(), e);
        }
        try {
            // Older than any checkpoint still allowed to run: left by a process that died mid-upload.
            storage.abortIncompleteUploads(Instant.now().minus(config.timeout()));
        } catch (IOException e) {
            LOG.warnf("Could not look for incomplete multipart uploads in %s (%s); a store that keeps them bills their"
                    + " parts until they are aborted, for example by a lifecycle rule", storage.describe(), e.getMessage());
        }
        return storage;
    }

    /** The trust store of a TLS configuration of the Quarkus TLS registry. */
    private static KeyStore trustStore(String name) {
        String property = "quarkus.keyed-state.checkpoint.s3.tls-configuration-name=" + name;
        TlsConfiguration tls = Arc.container().select(TlsConfigurationRegistry.class).get().get(name)
                .orElseThrow(() -> new IllegalArgumentException(property + ": the TLS registry has no configuration of"
                        + " that name; define quarkus.tls." + name + ".trust-store.*"));
        if (tls.getTrustStore() == null) {
            throw new IllegalArgumentException(property + ": TLS configuration '" + name + "' has no trust store; set"
                    + " quarkus.tls." + name + ".trust-store.p12.path (or .jks or .pem)");
        }
        return tls.getTrustStore();
    }
}
