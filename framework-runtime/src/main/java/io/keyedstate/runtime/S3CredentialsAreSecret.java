package io.keyedstate.runtime;

import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Makes the S3 credentials SmallRye secret keys: left out of property-name listings and of dumps,
 * and unreadable through the programmatic config API (the extension's mapping still reads them).
 * Registered by the build outside dev mode only: Quarkus's Dev UI configuration page reads every
 * known property's value and fails as a whole on a secret key, so dev mode masks them instead
 * ({@link S3CredentialsAreMasked}).
 */
public class S3CredentialsAreSecret implements ConfigBuilder {

    public static final String ACCESS_KEY = "quarkus.keyed-state.checkpoint.s3.access-key";
    public static final String SECRET_KEY = "quarkus.keyed-state.checkpoint.s3.secret-key";
    public static final String SESSION_TOKEN = "quarkus.keyed-state.checkpoint.s3.session-token";

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        return builder.withSecretKeys(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN);
    }
}
