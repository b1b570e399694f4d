package io.keyedstate.storage.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.minio.credentials.AwsConfigProvider;
import io.minio.credentials.Credentials;
import io.minio.credentials.IamAwsProvider;
import io.minio.credentials.Provider;
import io.minio.credentials.StaticProvider;
import okhttp3.OkHttpClient;

/**
 * Where S3 credentials come from: the configured keys if there are any, else the first of these
 * sources that has some, in this order, as AWS's own clients look: the environment
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}); a
 * profile of the shared credentials file; then web identity (a Kubernetes service account's token,
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE} with {@code AWS_ROLE_ARN}), container credentials (ECS) or
 * the instance's metadata (EC2). The source found at startup is kept: temporary credentials are
 * fetched again from it when they expire. None found fails the startup with what each source said.
 */
public final class S3Credentials {

    private static final String CONFIG = "quarkus.keyed-state.checkpoint.s3.";
    /** A cloud's metadata service answers within milliseconds; elsewhere nothing answers at all. */
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(2);

    private S3Credentials() {
    }

    /** What configuration says about credentials; empty values are unset. */
    public record Configured(Optional<String> accessKey, Optional<String> secretKey, Optional<String> sessionToken,
            Optional<String> profile, Optional<Path> credentialsFile) {
    }

    /** One place credentials may come from, and the provider that reads it. */
    private record Source(String description, Provider provider) {
    }

    /**
     * The provider to sign requests with.
     *
     * @param env the process environment ({@code System::getenv})
     * @param metadataEndpoint where the instance and container metadata are asked; null for the cloud's own
     * @throws IllegalStateException naming every source tried and why it had no credentials
     */
    public static Provider resolve(Configured configured, Function<String, String> env, String metadataEndpoint) {
        if (configured.accessKey().isPresent() && configured.secretKey().isPresent()) {
            return new StaticProvider(configured.accessKey().get(), configured.secretKey().get(),
                    configured.sessionToken().orElse(null));
        }
        List<String> tried = new ArrayList<>();
        for (Source source : chain(configured, env, metadataEndpoint)) {
            try {
                Credentials credentials = source.provider().fetch();
                if (credentials != null && credentials.accessKey() != null && !credentials.accessKey().isEmpty()) {
                    return source.provider();
                }
                tried.add(source.description() + ": no credentials");
            } catch (RuntimeException e) {
                tried.add(source.description() + ": " + message(e));
            }
        }
        throw new IllegalStateException("quarkus.keyed-state.checkpoint.storage=s3 has no credentials. Set " + CONFIG
                + "access-key and " + CONFIG + "secret-key, or provide them in one of the places tried, in this order:\n  - "
                + String.join("\n  - ", tried));
    }

    private static List<Source> chain(Configured configured, Function<String, String> env, String metadataEndpoint) {
        Path file = configured.credentialsFile()
                .or(() -> Optional.ofNullable(env.apply("AWS_SHARED_CREDENTIALS_FILE")).filter(f -> !f.isBlank()).map(Path::of))
                .orElse(Path.of(System.getProperty("user.home"), ".aws", "credentials"));
        String profile = configured.profile()
                .or(() -> Optional.ofNullable(env.apply("AWS_PROFILE")).filter(p -> !p.isBlank()))
                .orElse("default");
        OkHttpClient metadata = new OkHttpClient.Builder()
                .connectTimeout(METADATA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(METADATA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(METADATA_TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)
                .build();
        return List.of(
                new Source("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
                        () -> fromEnvironment(env)),
                new Source("profile '" + profile + "' of the credentials file " + file + " (" + CONFIG + "profile, "
                        + CONFIG + "credentials-file, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)",
                        () -> {
                            if (!Files.isRegularFile(file)) {
                                throw new IllegalStateException("no such file");
                            }
                            return new AwsConfigProvider(file.toString(), profile).fetch();
                        }),
                new Source("web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), container (ECS) or instance"
                        + " (EC2) metadata", new IamAwsProvider(metadataEndpoint, metadata)));
    }

    private static Credentials fromEnvironment(Function<String, String> env) {
        String accessKey = env.apply("AWS_ACCESS_KEY_ID");
        String secretKey = env.apply("AWS_SECRET_ACCESS_KEY");
        if (blank(accessKey) && blank(secretKey)) {
            throw new IllegalStateException("not set");
        }
        if (blank(accessKey) || blank(secretKey)) {
            throw new IllegalStateException((blank(accessKey) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")
                    + " is not set, the other is");
        }
        String sessionToken = env.apply("AWS_SESSION_TOKEN");
        return new Credentials(accessKey, secretKey, blank(sessionToken) ? null : sessionToken, null);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return root == e || e.getMessage() == null ? message : e.getMessage() + " (" + message + ")";
    }
}
