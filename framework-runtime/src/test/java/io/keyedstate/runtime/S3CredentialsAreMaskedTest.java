package io.keyedstate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SecretKeys;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * In dev mode the S3 credentials read as a mask through the programmatic API, but not with secret
 * keys unlocked, which is how SmallRye populates config mappings (the extension's among them).
 */
class S3CredentialsAreMaskedTest {

    @Test
    void theProgrammaticApiSeesAMaskAndTheMappingTheValues() {
        SmallRyeConfig config = new S3CredentialsAreMasked().configBuilder(new SmallRyeConfigBuilder()
                .withProfile("dev")
                .withSources(new PropertiesConfigSource(Map.of(
                        S3CredentialsAreSecret.ACCESS_KEY, "minio",
                        "%dev." + S3CredentialsAreSecret.SECRET_KEY, "minio-secret",
                        "quarkus.keyed-state.checkpoint.s3.bucket", "checkpoints"), "test", 100)))
                .build();

        assertThat(config.getValue(S3CredentialsAreSecret.ACCESS_KEY, String.class)).isEqualTo(S3CredentialsAreMasked.MASK);
        assertThat(config.getConfigValue(S3CredentialsAreSecret.SECRET_KEY).getValue()).isEqualTo(S3CredentialsAreMasked.MASK);
        assertThat(config.getValue("quarkus.keyed-state.checkpoint.s3.bucket", String.class)).isEqualTo("checkpoints");
        assertThat(SecretKeys.doUnlocked(() -> config.getValue(S3CredentialsAreSecret.ACCESS_KEY, String.class)))
                .isEqualTo("minio");
        assertThat(SecretKeys.doUnlocked(() -> config.getValue(S3CredentialsAreSecret.SECRET_KEY, String.class)))
                .isEqualTo("minio-secret");
    }
}
