package io.keyedstate.storage.s3;

import java.net.URI;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The region requests are signed for: the configured one; else the one an AWS endpoint names
 * ({@code s3.eu-west-1.amazonaws.com}, {@code s3-eu-west-1.amazonaws.com},
 * {@code bucket.s3.dualstack.eu-west-1.amazonaws.com}); else {@code AWS_REGION} or
 * {@code AWS_DEFAULT_REGION}; else {@code us-east-1}, which MinIO and most S3-compatible stores
 * accept whatever they are set to.
 */
public final class S3Region {

    static final String FALLBACK = "us-east-1";
    private static final Pattern AWS_HOST = Pattern
            .compile("(?:^|\\.)s3[.-](?:dualstack\\.|fips\\.|external-1\\.)?([a-z]{2}(?:-[a-z]+)+-\\d+)\\.amazonaws\\.com(?:\\.cn)?$");

    private S3Region() {
    }

    public static String of(Optional<String> configured, String endpoint, Function<String, String> env) {
        return configured.filter(region -> !region.isBlank())
                .or(() -> fromEndpoint(endpoint))
                .or(() -> Optional.ofNullable(env.apply("AWS_REGION")).filter(region -> !region.isBlank()))
                .or(() -> Optional.ofNullable(env.apply("AWS_DEFAULT_REGION")).filter(region -> !region.isBlank()))
                .orElse(FALLBACK);
    }

    static Optional<String> fromEndpoint(String endpoint) {
        String host;
        try {
            host = URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (host == null) {
            return Optional.empty();
        }
        Matcher matcher = AWS_HOST.matcher(host.toLowerCase(java.util.Locale.ROOT));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
