package io.keyedstate.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class S3RegionTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void anAwsEndpointNamesItsRegion() {
        assertThat(S3Region.of(Optional.empty(), "https://s3.eu-west-1.amazonaws.com", NO_ENV::get)).isEqualTo("eu-west-1");
        assertThat(S3Region.of(Optional.empty(), "https://s3-ap-southeast-2.amazonaws.com", NO_ENV::get))
                .isEqualTo("ap-southeast-2");
        assertThat(S3Region.of(Optional.empty(), "https://checkpoints.s3.dualstack.us-west-2.amazonaws.com", NO_ENV::get))
                .isEqualTo("us-west-2");
        assertThat(S3Region.of(Optional.empty(), "s3.cn-north-1.amazonaws.com.cn", NO_ENV::get)).isEqualTo("cn-north-1");
    }

    @Test
    void theConfiguredRegionWinsThenTheEndpointThenTheEnvironment() {
        Map<String, String> env = Map.of("AWS_REGION", "eu-central-1", "AWS_DEFAULT_REGION", "sa-east-1");
        assertThat(S3Region.of(Optional.of("eu-north-1"), "https://s3.eu-west-1.amazonaws.com", env::get))
                .isEqualTo("eu-north-1");
        assertThat(S3Region.of(Optional.empty(), "https://s3.eu-west-1.amazonaws.com", env::get)).isEqualTo("eu-west-1");
        assertThat(S3Region.of(Optional.empty(), "http://minio:9000", env::get)).isEqualTo("eu-central-1");
        assertThat(S3Region.of(Optional.empty(), "http://minio:9000", Map.of("AWS_DEFAULT_REGION", "sa-east-1")::get))
                .isEqualTo("sa-east-1");
    }

    @Test
    void anEndpointThatNamesNoRegionFallsBackToUsEast1() {
        assertThat(S3Region.of(Optional.empty(), "http://localhost:9000", NO_ENV::get)).isEqualTo("us-east-1");
        assertThat(S3Region.of(Optional.empty(), "https://s3.amazonaws.com", NO_ENV::get)).isEqualTo("us-east-1");
    }
}
