package io.keyedstate.checkpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import org.jboss.logging.Logger;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StateSchema;
import io.keyedstate.state.StoredForm;

/**
 * Compares the states a checkpoint stored with those the application declares, before any of its
 * files is read. What the backends can convert (a ttl gained or lost, values of an older codec
 * version the codec still reads) becomes a {@link RestorePlan}; what they cannot (a state no longer
 * declared, unless configuration drops such states; another kind, type or codec; a codec version
 * the codec does not read) refuses the checkpoint. A refusal is not damage of one checkpoint: every
 * checkpoint of the application's lineage has the same states, so the restore does not move on to
 * older ones.
 */
public final class SchemaCheck {

    private static final Logger LOG = Logger.getLogger(SchemaCheck.class);
    static final String DROP_PROPERTY = "quarkus.keyed-state.checkpoint.drop-undeclared-states";

    /** The checkpoint's states do not match the application's: the message says which and how to fix it. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final List<StateDescriptor> states;
    private final Map<String, StateSchema> declared = new HashMap<>();
    private final Map<String, StateDescriptor> byName = new HashMap<>();
    private final StateCodecs codecs;
    private final boolean dropUndeclared;

    /**
     * @param states the application's states
     * @param dropUndeclared whether stored states the application no longer declares are dropped
     *        rather than refused
     */
    public SchemaCheck(List<StateDescriptor> states, StateCodecs codecs, boolean dropUndeclared) {
        this.codecs = codecs;
        this.dropUndeclared = dropUndeclared;
        this.states = List.copyOf(states);
        for (StateDescriptor state : this.states) {
            declared.put(state.qualifiedName(), StateSchema.of(state, codecs));
            byName.put(state.qualifiedName(), state);
        }
    }

    /** What a manifest records of the shard's states; {@code empty} tells, by state id, which held nothing. */
    public List<CheckpointManifest.StateEntry> manifestStates(IntPredicate empty) {
        List<CheckpointManifest.StateEntry> entries = new ArrayList<>(states.size());
        for (StateDescriptor state : states) {
            entries.add(new CheckpointManifest.StateEntry(declared.get(state.qualifiedName()), empty.test(state.id())));
        }
        return entries;
    }

    /**
     * How the backend restores {@code manifest}'s files into the declared states.
     *
     * @throws Refused if a stored state cannot be restored into the declared ones
     */
    RestorePlan check(CheckpointManifest manifest) throws Refused {
        List<String> problems = new ArrayList<>();
        Map<String, StoredForm> converted = new HashMap<>();
        Map<String, StoredForm> dropped = new HashMap<>();
        for (CheckpointManifest.StateEntry entry : manifest.states()) {
            StateSchema stored = entry.schema();
            StateDescriptor state = byName.get(stored.id());
            if (state == null) {
                undeclared(manifest, entry, problems, dropped);
                continue;
            }
            if (entry.empty()) {
                continue; // nothing stored to read: whatever changed, there is nothing to convert
            }
            StateSchema now = declared.get(stored.id());
            int before = problems.size();
            compare(stored, now, state, problems);
            if (problems.size() > before) {
                continue;
            }
            boolean storedTtl = stored.ttlKnown() ? stored.hasTtl() : state.hasTtl();
            int valueVersion = stored.value() == null || now.value() == null ? 0 : stored.value().version();
            int mapKeyVersion = stored.mapKey() == null || now.mapKey() == null ? 0 : stored.mapKey().version();
            if (storedTtl != state.hasTtl() || (now.value() != null && valueVersion != now.value().version())
                    || (now.mapKey() != null && mapKeyVersion != now.mapKey().version())) {
                converted.put(stored.id(), new StoredForm(state.kind(), storedTtl, valueVersion, mapKeyVersion));
                LOG.infof("%s: %s", state.displayName(), conversion(stored, now, state, storedTtl));
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("does not match the application's keyed states, so it is not restored: "
                    + String.join("; ", problems));
        }
        return converted.isEmpty() && dropped.isEmpty() ? RestorePlan.NONE : new RestorePlan(converted, dropped);
    }

    private void undeclared(CheckpointManifest manifest, CheckpointManifest.StateEntry entry, List<String> problems,
            Map<String, StoredForm> dropped) {
        StateSchema stored = entry.schema();
        if (!entry.empty() && !dropUndeclared) {
            problems.add("it holds state " + stored.displayName() + ", " + stored.describe() + ", which the application"
                    + " no longer declares (a field removed, or its bean class or state name changed). Declare it again"
                    + " (@KeyedState(name = ...) keeps a state's name when its field is renamed), or set " + DROP_PROPERTY
                    + "=true to drop what it holds");
            return;
        }
        if (stored.kind() == null && "heap".equals(manifest.backend())) {
            // Heap files are read in order: skipping a state needs its layout, which manifests of the first format lack.
            problems.add("it holds state " + stored.displayName() + ", which the application no longer declares, and was"
                    + " written by a version that did not record the state's layout, so it cannot be dropped. Run once"
                    + " with the state still declared, until a checkpoint completes, then remove it");
            return;
        }
        boolean storedTtl = stored.ttlKnown() && stored.hasTtl();
        dropped.put(stored.id(), new StoredForm(stored.kind(), storedTtl, 0, 0));
        if (entry.empty()) {
            LOG.debugf("State %s is no longer declared; the checkpoint holds nothing of it", stored.displayName());
        } else {
            LOG.warnf("Dropping state %s, %s, from checkpoint %s: the application no longer declares it (%s=true)",
                    stored.displayName(), stored.describe(), manifest.id(), DROP_PROPERTY);
        }
    }

    /** Adds what makes {@code stored} unreadable as {@code now} to {@code problems}. */
    private void compare(StateSchema stored, StateSchema now, StateDescriptor state, List<String> problems) {
        String fix = ". A stored state keeps its kind, type and codec: restore the declaration it was written with,"
                + " or declare the new one under a new state name (then the old one is no longer declared, see "
                + DROP_PROPERTY + ")";
        boolean storedMap = stored.kind() == null ? stored.mapKey() != null : stored.kind() == StateKind.MAP;
        if ((stored.kind() != null && stored.kind() != now.kind()) || storedMap != (now.kind() == StateKind.MAP)) {
            problems.add(state.displayName() + " was stored as " + stored.describe() + " and is now declared as "
                    + now.describe() + fix);
            return;
        }
        if (now.kind() == StateKind.TIMERS) {
            return; // the framework's own format
        }
        compareCodec("values", stored.value(), now.value(), state, problems, fix);
        if (now.mapKey() != null) {
            compareCodec("map keys", stored.mapKey(), now.mapKey(), state, problems, fix);
        }
    }

    private void compareCodec(String what, StateSchema.Codec stored, StateSchema.Codec now, StateDescriptor state,
            List<String> problems, String fix) {
        if (stored == null || !stored.type().equals(now.type()) || (stored.codec() != null
                && !stored.codec().equals(now.codec()))) {
            problems.add(state.displayName() + ": its " + what + " were stored as " + stored + " and are now declared as "
                    + now + fix);
            return;
        }
        StateCodec<Object> codec = codecs.forType(now.type());
        if (stored.version() != now.version() && !codec.canDecode(stored.version())) {
            problems.add(state.displayName() + ": its " + what + " were stored by version " + stored.version() + " of codec "
                    + now.codec() + ", which is now at version " + now.version() + " and cannot read version "
                    + stored.version() + ". Make " + codec.getClass().getName() + ".canDecode(" + stored.version()
                    + ") true and read that version in decode(DataInput, int), or bring back version "
                    + stored.version());
        }
    }

    private static String conversion(StateSchema stored, StateSchema now, StateDescriptor state, boolean storedTtl) {
        List<String> changes = new ArrayList<>();
        if (!storedTtl && state.hasTtl()) {
            changes.add("stored without a ttl, its values expire " + Duration.ofMillis(state.ttlMillis())
                    + " after this restore unless written again");
        } else if (storedTtl && !state.hasTtl()) {
            changes.add("stored with a ttl, its values no longer expire (those expired already are dropped)");
        }
        if (now.value() != null && stored.value().version() != now.value().version()) {
            changes.add("values stored by version " + stored.value().version() + " of codec " + now.value().codec()
                    + " are read with it and stored as version " + now.value().version() + " from now on");
        }
        if (now.mapKey() != null && stored.mapKey().version() != now.mapKey().version()) {
            changes.add("map keys stored by version " + stored.mapKey().version() + " of codec " + now.mapKey().codec()
                    + " are read with it and stored as version " + now.mapKey().version() + " from now on");
        }
        return String.join("; ", changes);
    }
}
