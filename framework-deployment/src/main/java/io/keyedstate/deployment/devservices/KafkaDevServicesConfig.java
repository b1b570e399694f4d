package io.keyedstate.deployment.devservices;

import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Dev Services for Kafka without containers: Apache Kafka's own KRaft broker, embedded in the
 * dev-mode or test JVM.
 */
@ConfigMapping(prefix = "quarkus.keyed-state.devservices")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KafkaDevServicesConfig {

    /**
     * Whether to start an embedded Kafka broker in dev and test mode when `kafka.bootstrap.servers`
     * is not set. The broker runs inside the application's JVM (no Docker needed), one per JVM,
     * shared by dev-mode restarts and test profiles, and is deleted when the JVM exits.
     *
     * While this is on, the extension turns Quarkus's container-based Kafka Dev Service off
     * (`quarkus.kafka.devservices.enabled=false`); to use that one instead, set this to `false` and
     * `quarkus.kafka.devservices.enabled` to `true`.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The broker's client port on 127.0.0.1. If not set, a free port is chosen.
     */
    OptionalInt port();

    /**
     * The number of partitions of topics the broker creates automatically. State is sharded by
     * partition, so more than one shows the sharding even on a laptop.
     */
    @WithDefault("4")
    int partitions();
}
