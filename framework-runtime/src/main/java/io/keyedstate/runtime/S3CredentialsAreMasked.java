package io.keyedstate.runtime;

import java.util.Set;

import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SecretKeys;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Dev mode's stand-in for {@link S3CredentialsAreSecret}: the S3 credentials read as a mask
 * through the programmatic config API (what the Dev UI's configuration page uses), while the
 * extension's config mapping, populated with secret keys unlocked, gets the real values. A secret
 * key would make that page fail as a whole.
 */
public class S3CredentialsAreMasked implements ConfigBuilder {

    static final String MASK = "********";
    private static final Set<String> CREDENTIALS = Set.of(S3CredentialsAreSecret.ACCESS_KEY, S3CredentialsAreSecret.SECRET_KEY,
            S3CredentialsAreSecret.SESSION_TOKEN);

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        return builder.withInterceptors(new Mask());
    }

    private static final class Mask implements ConfigSourceInterceptor {

        @Override
        public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
            ConfigValue value = context.proceed(name);
            if (value == null || value.getValue() == null || !SecretKeys.isLocked() || !CREDENTIALS.contains(unprofiled(name))) {
                return value;
            }
            return value.withValue(MASK);
        }

        private static String unprofiled(String name) {
            return name.startsWith("%") && name.indexOf('.') > 0 ? name.substring(name.indexOf('.') + 1) : name;
        }
    }
}
