package io.keyedstate.runtime;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.checkpoint.CheckpointCoordinator;
import io.keyedstate.checkpoint.CheckpointSettings;
import io.keyedstate.checkpoint.StorageNames;
import io.keyedstate.checkpoint.SchemaCheck;
import io.keyedstate.storage.CheckpointStorage;
import io.keyedstate.storage.filesystem.FilesystemCheckpointStorage;
import io.keyedstate.storage.s3.S3CheckpointStorage;
import io.keyedstate.storage.s3.S3Settings;
import io.keyedstate.backend.heap.HeapStateBackend;
import io.keyedstate.backend.rocksdb.RocksDbSettings;
import io.keyedstate.backend.rocksdb.RocksDbStateBackend;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.scope.ShardIds;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.timer.TimerService;
import io.quarkus.arc.Arc;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/**
 * The application's keyed state: the states found at build time, their handles, the channels
 * whose records are keyed, and the backend that stores them.
 */
public final class KeyedStates {

    private static final Logger LOG = Logger.getLogger(KeyedStates.class);
    private static volatile KeyedStates running;

    private final List<StateDescriptor> states;
    private final Set<String> channels;
    private final Set<String> concurrentChannels;
    private final CheckpointCoordinator coordinator;
    private final ShardIds shardIds = new ShardIds();
    /** Per keyed channel, its topics, sorted. */
    private final Map<String, List<String>> channelTopics;
    /** Per topic, the keyed channels that read it, sorted. */
    private final Map<String, List<String>> channelsOfTopic = new HashMap<>();
    private final KeyedStateConfig config;
    private final StateBackend backend;
    private final Map<String, Object> handles = new HashMap<>();
    private final ScheduledExecutorService sweeper;
    private final TimerService timers;

    KeyedStates(List<StateDescriptor> states, Set<String> channels, Set<String> concurrentChannels, KeyedStateConfig config,
            StateCodecs codecs) {
        this.states = List.copyOf(states);
        this.channels = Set.copyOf(channels);
        this.concurrentChannels = Set.copyOf(concurrentChannels);
        this.config = config;
        requireKeyedCommitStrategy();
        this.channelTopics = channelTopics(this.channels);
        channelTopics.forEach((channel, topics) -> topics.forEach(
                topic -> channelsOfTopic.computeIfAbsent(topic, t -> new java.util.ArrayList<>()).add(channel)));
        this.backend = createBackend(this.states, config, codecs);
        for (StateDescriptor state : this.states) {
            handles.put(fieldKey(state.beanClass(), state.field()), backend.handle(state));
        }
        this.coordinator = new CheckpointCoordinator(backend, createStorage(config.checkpoint()), shardIds,
                checkpointSettings(config.checkpoint()),
                new SchemaCheck(this.states, codecs, config.checkpoint().dropUndeclaredStates()));
        this.sweeper = this.states.stream().anyMatch(StateDescriptor::hasTtl) ? startSweeper() : null;
        this.timers = this.states.stream().anyMatch(state -> state.kind() == StateKind.TIMERS) ? startTimers() : null;
        running = this;
    }

    /**
     * Runs {@code action} scoped to a record of the running application: {@code KeyedScope}'s
     * engine. {@code channel} may be null when one keyed channel reads {@code topic}.
     */
    public static <R> R callScoped(String channel, String topic, int partition, Object key, Supplier<R> action) {
        if (key == null) {
            throw new IllegalArgumentException("A record with a null key has no keyed state (" + topic + "-" + partition
                    + ")");
        }
        KeyedStates states = running();
        List<String> readers = states.channelsOfTopic.getOrDefault(topic, List.of());
        if (readers.isEmpty() || (channel != null && !readers.contains(channel))) {
            throw new IllegalArgumentException("Topic '" + topic + "' is not read by " + (channel == null ? "a keyed channel"
                    : "keyed channel '" + channel + "'") + " (a channel of a bean with keyed state), so its records have"
                    + " no keyed state");
        }
        if (channel == null && readers.size() > 1) {
            throw new IllegalArgumentException("Topic '" + topic + "' is read by keyed channels " + readers + ", each with"
                    + " state of its own: name the channel, KeyedScope.run(\"<channel>\", record, action)");
        }
        return CurrentShardKey.callWithin(states.scope(channel != null ? channel : readers.get(0), partition, key), action);
    }

    private static KeyedStates running() {
        KeyedStates instance = running;
        if (instance == null) {
            throw new IllegalStateException("Keyed state is not started: the application has no @KeyedState field,"
                    + " or it is not running");
        }
        return instance;
    }

    public boolean isKeyedChannel(String channel) {
        return channels.contains(channel);
    }

    public boolean isConcurrentChannel(String channel) {
        return concurrentChannels.contains(channel);
    }

    public CheckpointCoordinator coordinator() {
        return coordinator;
    }

    public KeyedStateConfig config() {
        return config;
    }

    public StateBackend backend() {
        return backend;
    }

    public List<StateDescriptor> states() {
        return states;
    }

    /** The handle of the {@code @KeyedState} field {@code field} of {@code beanClass}. */
    public Object handle(String beanClass, String field) {
        Object handle = handles.get(fieldKey(beanClass, field));
        if (handle == null) {
            throw new IllegalStateException("No keyed state was discovered at build time for " + beanClass + "." + field);
        }
        return handle;
    }

    /** The scope of a record of {@code channel}'s {@code partition} with key {@code key} (not null). */
    public ShardKey scope(String channel, int partition, Object key) {
        return new ShardKey(backend.shard(shardIds.id(channel, partition)), RecordKeys.normalize(key));
    }

    public ShardIds shardIds() {
        return shardIds;
    }

    /** Fires the application's timers; empty if it has no {@code Timers} field. */
    public java.util.Optional<TimerService> timers() {
        return java.util.Optional.ofNullable(timers);
    }

    void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (timers != null) {
            timers.close();
        }
        coordinator.close();
        backend.close();
        running = null;
    }

    private static StateBackend createBackend(List<StateDescriptor> states, KeyedStateConfig config, StateCodecs codecs) {
        return switch (config.backend()) {
            case HEAP -> {
                int fullEvery = config.heap().fullSnapshotEvery();
                if (fullEvery < 1) {
                    throw new IllegalArgumentException("quarkus.keyed-state.heap.full-snapshot-every=" + fullEvery
                            + ": it must be at least 1 (1 stores every checkpoint in full)");
                }
                yield new HeapStateBackend(states, System::currentTimeMillis, codecs, fullEvery, config.heap().snapshotCompression());
            }
            case ROCKSDB -> {
                KeyedStateConfig.RocksDbConfig rocksdb = config.rocksdb();
                Path dir = rocksdb.dir().orElseGet(
                        () -> Path.of(System.getProperty("java.io.tmpdir"), "quarkus-keyed-state", "rocksdb"));
                yield new RocksDbStateBackend(states, codecs, new RocksDbSettings(dir, rocksdb.memoryLimit().asLongValue(),
                        rocksdb.writeBufferRatio(), rocksdb.highPriorityPoolRatio(), rocksdb.profile(), rocksdb.dbOptions(),
                        rocksdb.columnFamilyOptions(), rocksdb.statistics(), rocksdb.writeCacheSize().asLongValue()),
                        System::currentTimeMillis);
            }
        };
    }

    /**
     * Offsets of a keyed channel may only be committed with checkpoints: any other strategy would
     * commit records whose state is not durable yet, and lose it in a crash.
     */
    private void requireKeyedCommitStrategy() {
        for (String channel : channels) {
            String property = "mp.messaging.incoming." + channel + ".commit-strategy";
            ConfigProvider.getConfig().getOptionalValue(property, String.class)
                    .filter(strategy -> !strategy.equals(KeyedStateCommitStrategy.NAME))
                    .ifPresent(strategy -> {
                        throw new IllegalArgumentException(property + "=" + strategy + ", but channel '" + channel
                                + "' has keyed state, whose checkpoints commit its offsets: remove the property (the"
                                + " default is " + KeyedStateCommitStrategy.NAME + ")");
                    });
        }
    }

    private static CheckpointStorage createStorage(KeyedStateConfig.CheckpointConfig config) {
        return switch (config.storage()) {
            case FILESYSTEM -> new FilesystemCheckpointStorage(config.filesystem().path().orElseGet(
                    () -> Path.of(System.getProperty("java.io.tmpdir"), "quarkus-keyed-state", "checkpoints")));
            case S3 -> createS3Storage(config);
        };
    }

    private static S3CheckpointStorage createS3Storage(KeyedStateConfig.CheckpointConfig config) {
        KeyedStateConfig.S3Config s3 = config.s3();
        String prefix = "quarkus.keyed-state.checkpoint.s3.";
        S3Settings settings = new S3Settings(required(s3.endpoint(), prefix + "endpoint"), s3.region(),
                required(s3.bucket(), prefix + "bucket"), s3.prefix().orElse("").replaceAll("^/+|/+$", ""),
                required(s3.accessKey(), prefix + "access-key"), required(s3.secretKey(), prefix + "secret-key"),
                s3.pathStyle(), s3.createBucket(), s3.partSize().asLongValue(), config.uploadThreads(), s3.connectTimeout(),
                s3.requestTimeout(), s3.attempts(), s3.tlsConfigurationName().map(KeyedStates::trustStore).orElse(null));
        if (settings.partSize() < 5L << 20) {
            throw new IllegalArgumentException(prefix + "part-size=" + settings.partSize()
                    + ": S3 needs parts of at least 5 MiB (16M to 64M is a good range)");
        }
        S3CheckpointStorage storage = new S3CheckpointStorage(settings);
        try {
            storage.verifyBucket();
        } catch (io.keyedstate.storage.StorageUnavailableException e) {
            // An outage is not a configuration error: checkpoints fail, and restores wait, until it ends.
            LOG.warnf("Checkpoint storage %s does not answer at startup (%s): checkpoints fail and restores wait until"
                    + " it does", storage.describe(), e.getMessage());
        } catch (java.io.IOException e) {
            storage.close();
            throw new IllegalStateException("quarkus.keyed-state.checkpoint.storage=s3: cannot use bucket '"
                    + settings.bucket() + "' at " + settings.endpoint() + ": " + e.getMessage(), e);
        }
        try {
            // Older than any checkpoint still allowed to run: left by a process that died mid-upload.
            storage.abortIncompleteUploads(java.time.Instant.now().minus(config.timeout()));
        } catch (java.io.IOException e) {
            LOG.warnf("Could not look for incomplete multipart uploads in %s (%s); a store that keeps them bills their"
                    + " parts until they are aborted, for example by a lifecycle rule", storage.describe(), e.getMessage());
        }
        return storage;
    }

    /** The trust store of a TLS configuration of the Quarkus TLS registry. */
    private static java.security.KeyStore trustStore(String name) {
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

    private static String required(java.util.Optional<String> value, String property) {
        return value.filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalArgumentException(property
                + " must be set when quarkus.keyed-state.checkpoint.storage=s3"));
    }

    private static Map<String, List<String>> channelTopics(Set<String> channels) {
        org.eclipse.microprofile.config.Config mp = ConfigProvider.getConfig();
        Map<String, List<String>> topics = new java.util.TreeMap<>();
        for (String channel : channels) {
            String prefix = "mp.messaging.incoming." + channel + ".";
            if (mp.getOptionalValue(prefix + "pattern", Boolean.class).orElse(false)) {
                throw new IllegalArgumentException(prefix + "pattern=true: a keyed channel needs fixed topics, because"
                        + " checkpoints are stored per topic partition");
            }
            List<String> list = mp.getOptionalValue(prefix + "topics", String.class)
                    .map(names -> java.util.Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                            .sorted().distinct().toList())
                    .orElseGet(() -> List.of(mp.getOptionalValue(prefix + "topic", String.class).orElse(channel)));
            topics.put(channel, list);
        }
        return topics;
    }

    private CheckpointSettings checkpointSettings(KeyedStateConfig.CheckpointConfig checkpoint) {
        if (checkpoint.retained() < 1) {
            throw new IllegalArgumentException("quarkus.keyed-state.checkpoint.retained=" + checkpoint.retained()
                    + ": at least 1 checkpoint must be kept");
        }
        checkpoint.restoreFrom().filter(name -> !StorageNames.isSavepointName(name)).ifPresent(name -> {
            throw new IllegalArgumentException("quarkus.keyed-state.checkpoint.restore-from=" + name + ": "
                    + StorageNames.SAVEPOINT_NAME_RULE);
        });
        String application = ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                .orElse("application");
        return new CheckpointSettings(checkpoint.interval(), checkpoint.timeout(), checkpoint.minPause(),
                checkpoint.tolerableFailures(), checkpoint.unhealthyAfterIntervals(), checkpoint.retained(), checkpoint.handoverTimeout(), checkpoint.uploadThreads(),
                checkpoint.incremental(), checkpoint.inlineThreshold().asLongValue(), checkpoint.restoreFrom(), checkpoint.unrecoverableShard(),
                checkpoint.restoreTimeout(), application,
                channelTopics, checkpoint.previousLayoutChannel());
    }

    private TimerService startTimers() {
        KeyedStateConfig.TimersConfig timersConfig = config.timers();
        String prefix = "quarkus.keyed-state.timers.";
        requirePositive(prefix + "max-per-round", timersConfig.maxPerRound());
        requirePositive(prefix + "check-interval", timersConfig.checkInterval().toMillis());
        if (timersConfig.outOfOrderness().isNegative()) {
            throw new IllegalArgumentException(prefix + "out-of-orderness=" + timersConfig.outOfOrderness()
                    + ": it must not be negative");
        }
        return new TimerService(backend, coordinator.gates(), OnTimerMethods::forState, System::currentTimeMillis,
                new TimerService.Settings(timersConfig.outOfOrderness().toMillis(), timersConfig.checkInterval().toMillis(),
                        timersConfig.maxPerRound(), config.checkpoint().timeout().toMillis()));
    }

    private static void requirePositive(String property, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(property + "=" + value + ": it must be positive");
        }
    }

    private ScheduledExecutorService startSweeper() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "keyed-state-ttl-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        long period = config.ttlCleanupInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                long removed = backend.removeExpired();
                LOG.debugf("Removed %d expired keyed-state entries", removed);
            } catch (RuntimeException e) {
                LOG.warn("Removing expired keyed state failed; it will be retried", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return executor;
    }

    private static String fieldKey(String beanClass, String field) {
        return beanClass + "#" + field;
    }
}
