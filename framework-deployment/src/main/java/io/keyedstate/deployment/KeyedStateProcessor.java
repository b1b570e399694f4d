package io.keyedstate.deployment;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.jandex.AnnotationTransformation;

import io.keyedstate.checkpoint.RestoreFence;
import io.keyedstate.runtime.CoordinatorCheckpoints;
import io.keyedstate.runtime.KeyBindingDecorator;
import io.keyedstate.runtime.KeyedStateCommitStrategy;
import io.keyedstate.runtime.KeyedStateProducer;
import io.keyedstate.runtime.KeyedStateRecorder;
import io.keyedstate.runtime.KeyedStateShutdown;
import io.keyedstate.runtime.KeyedStates;
import io.keyedstate.runtime.S3CredentialsAreMasked;
import io.keyedstate.runtime.S3CredentialsAreSecret;
import io.keyedstate.runtime.health.KeyedStateHealthCheck;
import io.keyedstate.runtime.health.KeyedStateLivenessCheck;
import io.keyedstate.runtime.metrics.KeyedStateMetrics;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.AnnotationsTransformerBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.LaunchModeBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigBuilderBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.pkg.steps.NativeOrNativeSourcesBuild;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import io.quarkus.smallrye.reactivemessaging.deployment.items.ConnectorManagedChannelBuildItem;
import io.quarkus.vertx.http.deployment.NonApplicationRootPathBuildItem;
import io.quarkus.vertx.http.deployment.RouteBuildItem;
import io.smallrye.reactive.messaging.kafka.KafkaConnector;

/** The extension's build steps: discovery of keyed state, beans, configuration defaults, health, metrics and endpoints. */
class KeyedStateProcessor {

    static final String FEATURE = "keyed-state";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * The runtime, only for an application with keyed state: without a {@code @KeyedState} field
     * there is no backend to create, no checkpoint to take and no channel to decorate.
     */
    @BuildStep
    void runtimeBeans(KeyedStatesBuildItem states, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (!states.isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.builder()
                    .addBeanClasses(KeyedStateProducer.class, KeyBindingDecorator.class, KeyedStateCommitStrategy.class,
                            KeyedStateShutdown.class, CoordinatorCheckpoints.class)
                    .setUnremovable()
                    .build());
        }
    }

    /** Metrics only when the application has Micrometer: the runtime's dependency on it is optional. */
    @BuildStep
    void metrics(KeyedStatesBuildItem states, Optional<MetricsCapabilityBuildItem> metrics,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        if (!states.isEmpty() && metrics.isPresent() && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(KeyedStateMetrics.class));
        }
    }

    /**
     * Checkpoint listing, and savepoints if configured, under the management interface (or
     * {@code /q} without one). Taking a savepoint writes to storage, so its route answers 404
     * unless {@code quarkus.keyed-state.savepoint-endpoint.enabled} is set.
     */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void managementEndpoints(KeyedStatesBuildItem states, KeyedStateSavepointEndpointConfig savepointEndpoint,
            NonApplicationRootPathBuildItem paths, KeyedStateRecorder recorder, BuildProducer<RouteBuildItem> routes) {
        if (states.isEmpty()) {
            return;
        }
        routes.produce(paths.routeBuilder().management().route("keyed-state/checkpoints")
                .handler(recorder.checkpointsEndpoint()).blockingRoute().displayOnNotFoundPage("Keyed-state checkpoints")
                .build());
        routes.produce(paths.routeBuilder().management().route("keyed-state/savepoints/:name")
                .handler(recorder.savepointEndpoint(savepointEndpoint.enabled())).blockingRoute().build());
    }

    @BuildStep
    HealthBuildItem readinessCheck(KeyedStatesBuildItem states, KeyedStateHealthConfig health) {
        return new HealthBuildItem(KeyedStateHealthCheck.class.getName(), health.enabled() && !states.isEmpty());
    }

    @BuildStep
    HealthBuildItem livenessCheck(KeyedStatesBuildItem states, KeyedStateHealthConfig health) {
        return new HealthBuildItem(KeyedStateLivenessCheck.class.getName(), health.enabled() && !states.isEmpty());
    }

    /** The application's codecs are looked up as beans at runtime, whatever their scope annotation. */
    @BuildStep
    void codecBeans(KeyedStatesBuildItem states, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (!states.userCodecs().isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.builder().addBeanClasses(states.userCodecs().values()).setUnremovable()
                    .build());
        }
    }

    /**
     * The S3 credentials are secret keys, except in dev mode, where the Dev UI's configuration page
     * fails on a secret key: there they are masked instead (see both builders).
     */
    @BuildStep
    RunTimeConfigBuilderBuildItem s3CredentialsAreHidden(LaunchModeBuildItem launchMode) {
        return new RunTimeConfigBuilderBuildItem(launchMode.getLaunchMode() == LaunchMode.DEVELOPMENT
                ? S3CredentialsAreMasked.class
                : S3CredentialsAreSecret.class);
    }

    /** {@code @KeyedState} fields need no {@code @Inject}: the build adds it. */
    @BuildStep
    AnnotationsTransformerBuildItem injectKeyedStateFields() {
        return new AnnotationsTransformerBuildItem(AnnotationTransformation.forFields()
                .whenAnyMatch(KeyedStateDiscovery.KEYED_STATE)
                .whenNoneMatch(Inject.class)
                .transform(context -> context.add(Inject.class)));
    }

    @BuildStep
    KeyedStatesBuildItem discoverKeyedStates(CombinedIndexBuildItem index) {
        KeyedStateDiscovery discovery = new KeyedStateDiscovery(index.getIndex(), ConfigProvider.getConfig());
        KeyedStatesBuildItem states = discovery.discover();
        List<String> problems = discovery.problems();
        if (!problems.isEmpty()) {
            throw new jakarta.enterprise.inject.spi.DeploymentException(problems.size() == 1 ? problems.get(0)
                    : "Keyed state has " + problems.size() + " problems:\n - " + String.join("\n - ", problems));
        }
        return states;
    }

    /**
     * Checks at start-up that the optional libraries the configured backend and storage need are
     * there, and loads RocksDB's library when that backend is configured, so either fails fast.
     */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void loadConfiguredLibraries(KeyedStatesBuildItem states, KeyedStateRecorder recorder) {
        if (!states.isEmpty()) {
            recorder.loadConfiguredLibraries();
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void keyedStatesBean(KeyedStatesBuildItem states, KeyedStateRecorder recorder,
            BuildProducer<SyntheticBeanBuildItem> beans) {
        if (states.isEmpty()) {
            return;
        }
        beans.produce(SyntheticBeanBuildItem.configure(KeyedStates.class)
                .scope(Singleton.class)
                .unremovable()
                .setRuntimeInit()
                .supplier(recorder.keyedStates(states.states(), new HashSet<>(states.channels()),
                        new HashSet<>(states.concurrentChannels()), new HashMap<>(states.userCodecs())))
                .done());
    }

    /**
     * Offsets of keyed channels are committed with checkpoints, by our commit strategy, which also
     * restores and hands over shards as the consumer group assigns and revokes partitions, and
     * keeps records of one key in order on channels whose handler runs records concurrently.
     */
    @BuildStep
    void checkpointCommitStrategy(KeyedStatesBuildItem states, BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        for (String channel : states.channels()) {
            defaults.produce(new RunTimeConfigurationDefaultBuildItem("mp.messaging.incoming." + channel + ".commit-strategy",
                    KeyedStateCommitStrategy.NAME));
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    "mp.messaging.incoming." + channel + ".enable.auto.commit", "false"));
        }
    }

    /**
     * SmallRye traces every record of a channel by default, through a no-op OpenTelemetry when the
     * application has none: about a quarter of a keyed channel's CPU for nothing, and as much again
     * on the Kafka channel its handler sends to. Off for keyed channels and their handlers' Kafka
     * {@code @Outgoing} channels unless the application has an OpenTelemetry tracer; a channel's own
     * {@code tracing-enabled} wins either way. Only channels managed by the Kafka connector get the
     * default: a property under an in-memory channel's name would make SmallRye look for a connector.
     */
    @BuildStep
    void tracingOnlyWithATracer(KeyedStatesBuildItem states, List<ConnectorManagedChannelBuildItem> connectorChannels,
            Capabilities capabilities, BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        if (capabilities.isPresent(Capability.OPENTELEMETRY_TRACER)) {
            return;
        }
        for (String channel : states.channels()) {
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    "mp.messaging.incoming." + channel + ".tracing-enabled", "false"));
        }
        for (ConnectorManagedChannelBuildItem channel : connectorChannels) {
            if (channel.isOutgoing() && KafkaConnector.CONNECTOR_NAME.equals(channel.getConnector())
                    && states.handlerOutgoings().contains(channel.getName())) {
                defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                        "mp.messaging.outgoing." + channel.getName() + ".tracing-enabled", "false"));
            }
        }
    }

    /**
     * Keyed channels restore state in the background, with the partitions being restored fenced
     * off in the consumer's poll by an interceptor, which Kafka creates by reflection.
     */
    @BuildStep
    void restoreFence(KeyedStatesBuildItem states, BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        for (String channel : states.channels()) {
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    "mp.messaging.incoming." + channel + ".interceptor.classes", RestoreFence.class.getName()));
        }
    }

    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    void registerRestoreFenceForReflection(KeyedStatesBuildItem states, BuildProducer<ReflectiveClassBuildItem> reflection) {
        if (!states.channels().isEmpty()) {
            reflection.produce(ReflectiveClassBuildItem.builder(RestoreFence.class).constructors()
                    .reason("Kafka creates the consumer interceptors of keyed channels from interceptor.classes").build());
        }
    }

    /** Jackson encodes stored records and POJOs by reflection, which a native image must know about. */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    void registerJacksonEncodedTypesForReflection(KeyedStatesBuildItem states,
            BuildProducer<ReflectiveClassBuildItem> reflection) {
        if (!states.jacksonClasses().isEmpty()) {
            reflection.produce(ReflectiveClassBuildItem.builder(states.jacksonClasses().toArray(String[]::new))
                    .constructors().methods().fields()
                    .reason("keyed state values encoded with Jackson")
                    .build());
        }
    }
}
