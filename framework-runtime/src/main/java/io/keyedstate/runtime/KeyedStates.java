package io.keyedstate.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import io.keyedstate.backend.StateBackend;
import io.keyedstate.checkpoint.CheckpointCoordinator;
import io.keyedstate.checkpoint.CheckpointSettings;
import io.keyedstate.checkpoint.SchemaCheck;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.scope.RecordKeys;
import io.keyedstate.scope.ShardIds;
import io.keyedstate.state.CurrentShardKey;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.timer.TimerService;

/**
 * The application's keyed state, put together at startup from checked configuration: the states
 * found at build time and their handles, the keyed channels and their topics, the backend, the
 * checkpoint coordinator, the timers and the expiry sweeper.
 */
public final class KeyedStates {

    private final List<StateDescriptor> states;
    private final Set<String> channels;
    private final Set<String> concurrentChannels;
    private final CheckpointCoordinator coordinator;
    private final ShardIds shardIds = new ShardIds();
    private final KeyedChannelTopics topics;
    private final KeyedStateConfig config;
    private final StateBackend backend;
    private final Map<String, Object> handles = new HashMap<>();
    private final ExpiredStateSweeper sweeper;
    private final TimerService timers;

    KeyedStates(List<StateDescriptor> states, Set<String> channels, Set<String> concurrentChannels, KeyedStateConfig config,
            StateCodecs codecs) {
        this.states = List.copyOf(states);
        this.channels = Set.copyOf(channels);
        this.concurrentChannels = Set.copyOf(concurrentChannels);
        this.config = config;
        boolean hasTimers = this.states.stream().anyMatch(state -> state.kind() == StateKind.TIMERS);
        ConfigChecks.requireValid(config, ConfigProvider.getConfig(), this.channels, hasTimers);
        this.topics = new KeyedChannelTopics(this.channels);
        this.backend = StateBackends.create(this.states, config, codecs);
        for (StateDescriptor state : this.states) {
            handles.put(fieldKey(state.beanClass(), state.field()), backend.handle(state));
        }
        this.coordinator = new CheckpointCoordinator(backend, CheckpointStorages.create(config.checkpoint()), shardIds,
                checkpointSettings(config.checkpoint()),
                new SchemaCheck(this.states, codecs, config.checkpoint().dropUndeclaredStates()));
        this.sweeper = this.states.stream().anyMatch(StateDescriptor::hasTtl)
                ? new ExpiredStateSweeper(backend, config.ttlCleanupInterval())
                : null;
        this.timers = hasTimers ? startTimers() : null;
    }

    /**
     * Runs {@code action} scoped to a record: {@code KeyedScope}'s engine. {@code channel} may be
     * null when one keyed channel reads {@code topic}.
     */
    public <R> R callScoped(String channel, String topic, int partition, Object key, Supplier<R> action) {
        if (key == null) {
            throw new IllegalArgumentException("A record with a null key has no keyed state (" + topic + "-" + partition
                    + ")");
        }
        List<String> readers = topics.channelsReading(topic);
        if (readers.isEmpty() || (channel != null && !readers.contains(channel))) {
            throw new IllegalArgumentException("Topic '" + topic + "' is not read by " + (channel == null ? "a keyed channel"
                    : "keyed channel '" + channel + "'") + " (a channel of a bean with keyed state), so its records have"
                    + " no keyed state");
        }
        if (channel == null && readers.size() > 1) {
            throw new IllegalArgumentException("Topic '" + topic + "' is read by keyed channels " + readers + ", each with"
                    + " state of its own: name the channel, KeyedScope.run(\"<channel>\", record, action)");
        }
        return CurrentShardKey.callWithin(scope(channel != null ? channel : readers.get(0), partition, key), action);
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
            sweeper.close();
        }
        if (timers != null) {
            timers.close();
        }
        coordinator.close();
        backend.close();
    }

    private CheckpointSettings checkpointSettings(CheckpointConfig checkpoint) {
        String application = ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                .orElse("application");
        return new CheckpointSettings(checkpoint.interval(), checkpoint.timeout(), checkpoint.minPause(),
                checkpoint.tolerableFailures(), checkpoint.unhealthyAfterIntervals(), checkpoint.retained(), checkpoint.handoverTimeout(), checkpoint.uploadThreads(),
                checkpoint.incremental(), checkpoint.inlineThreshold().asLongValue(), checkpoint.restoreFrom(), checkpoint.unrecoverableShard(),
                checkpoint.restoreTimeout(), application,
                topics.byChannel(), checkpoint.previousLayoutChannel());
    }

    private TimerService startTimers() {
        TimersConfig timersConfig = config.timers();
        return new TimerService(backend, coordinator.gates(), io.quarkus.arc.Arc.container().instance(OnTimerMethods.class).get()::forState, System::currentTimeMillis,
                new TimerService.Settings(timersConfig.outOfOrderness().toMillis(), timersConfig.checkInterval().toMillis(),
                        timersConfig.maxPerRound(), config.checkpoint().timeout().toMillis()));
    }

    private static String fieldKey(String beanClass, String field) {
        return beanClass + "#" + field;
    }
}
