package io.keyedstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.codec.StateCodecs;
import io.keyedstate.state.RestorePlan;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.keyedstate.state.StoredForm;

/** What a restore makes of a checkpoint whose states differ from the application's declarations. */
class SchemaCheckTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.WordCounter", "count", "count", StateKind.VALUE, 0,
            "java.lang.Long", "");
    static final StateDescriptor PER_HOUR = new StateDescriptor(1, "app.WordCounter", "perHour", "perHour", StateKind.MAP,
            0, "java.lang.Long", "java.lang.Integer");
    static final StateDescriptor TIMERS = new StateDescriptor(2, "app.WordCounter", "timers", "timers", StateKind.TIMERS, 0,
            "java.lang.Long", "");
    static final StateCodecs BUILT_IN = new StateCodecs(new ObjectMapper(), Map.of());

    static CheckpointManifest manifest(String backend, List<StateDescriptor> states, StateCodecs codecs,
            boolean... empty) {
        return new CheckpointManifest("chk-1-g1", 1, 1, false, null, backend, Instant.EPOCH, Map.of("words-0", 10L), Map.of(),
                new SchemaCheck(states, codecs, false).manifestStates(id -> id < empty.length && empty[id]), List.of(), 0);
    }

    static StateDescriptor withTtl(StateDescriptor state, long ttlMillis) {
        return new StateDescriptor(state.id(), state.beanClass(), state.field(), state.name(), state.kind(), ttlMillis,
                state.valueType(), state.mapKeyType());
    }

    private static RestorePlan check(CheckpointManifest manifest, List<StateDescriptor> states, StateCodecs codecs,
            boolean dropUndeclared) throws SchemaCheck.Refused {
        return new SchemaCheck(states, codecs, dropUndeclared).check(manifest);
    }

    @Test
    void statesStoredAsTheyAreDeclaredNeedNothing() throws Exception {
        List<StateDescriptor> states = List.of(COUNT, PER_HOUR, TIMERS);
        assertThat(check(manifest("heap", states, BUILT_IN), states, BUILT_IN, false)).isEqualTo(RestorePlan.NONE);
    }

    @Test
    void theManifestRecordsEachStatesIdentityLayoutAndCodecs() throws Exception {
        CheckpointManifest written = manifest("rocksdb", List.of(COUNT, withTtl(PER_HOUR, 60_000), TIMERS),
                VersionedCodecs.with(new VersionedCodecs.LongV2(), null), false, true);
        String json = new String(written.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"id\" : \"app.WordCounter.perHour\"", "\"field\" : \"perHour\"", "\"kind\" : \"map\"",
                "\"codec\" : \"app.LongCodec\"", "\"version\" : 2", "\"codec\" : \"built-in\"", "\"ttlMillis\" : 60000",
                "\"kind\" : \"timers\"");

        CheckpointManifest read = CheckpointManifest.fromJson(written.toJson());
        assertThat(read.states()).isEqualTo(written.states());
        assertThat(read.states().get(1).empty()).isTrue();
        assertThat(read.states().get(1).schema().mapKey().type()).isEqualTo("java.lang.Integer");
    }

    @Test
    void aStateNoLongerDeclaredIsRefusedNamingItAndTheWayOut() {
        CheckpointManifest manifest = manifest("rocksdb", List.of(COUNT, PER_HOUR), BUILT_IN);
        assertThatThrownBy(() -> check(manifest, List.of(COUNT), BUILT_IN, false))
                .isInstanceOf(SchemaCheck.Refused.class)
                .hasMessageContaining("WordCounter.perHour (MapState \"perHour\")")
                .hasMessageContaining("MapState<java.lang.Integer, java.lang.Long>")
                .hasMessageContaining("no longer declares")
                .hasMessageContaining("quarkus.keyed-state.checkpoint.drop-undeclared-states=true");
    }

    @Test
    void aStateNoLongerDeclaredIsDroppedWhenConfigurationSaysSo() throws Exception {
        CheckpointManifest manifest = manifest("heap", List.of(COUNT, withTtl(PER_HOUR, 5_000)), BUILT_IN);
        RestorePlan plan = check(manifest, List.of(COUNT), BUILT_IN, true);
        assertThat(plan.dropped()).containsOnlyKeys("app.WordCounter.perHour");
        assertThat(plan.dropped().get("app.WordCounter.perHour")).isEqualTo(new StoredForm(StateKind.MAP, true, 0, 0));
        assertThat(plan.converted()).isEmpty();
    }

    @Test
    void aStateNoLongerDeclaredThatHeldNothingIsDroppedAnyway() throws Exception {
        CheckpointManifest manifest = manifest("rocksdb", List.of(COUNT, PER_HOUR), BUILT_IN, false, true);
        assertThat(check(manifest, List.of(COUNT), BUILT_IN, false).dropped()).containsOnlyKeys("app.WordCounter.perHour");
    }

    @Test
    void aRenamedFieldKeepsItsStateOnlyThroughItsName() throws Exception {
        StateDescriptor renamedField = new StateDescriptor(0, "app.WordCounter", "total", "count", StateKind.VALUE, 0,
                "java.lang.Long", "");
        assertThat(check(manifest("heap", List.of(COUNT), BUILT_IN), List.of(renamedField), BUILT_IN, false))
                .isEqualTo(RestorePlan.NONE);
        StateDescriptor renamedState = new StateDescriptor(0, "app.WordCounter", "total", "total", StateKind.VALUE, 0,
                "java.lang.Long", "");
        assertThatThrownBy(() -> check(manifest("heap", List.of(COUNT), BUILT_IN), List.of(renamedState), BUILT_IN, false))
                .hasMessageContaining("WordCounter.count (ValueState \"count\")");
    }

    @Test
    void anotherKindTypeOrCodecIsRefused() {
        CheckpointManifest manifest = manifest("rocksdb", List.of(COUNT), BUILT_IN);
        StateDescriptor list = new StateDescriptor(0, "app.WordCounter", "count", "count", StateKind.LIST, 0,
                "java.lang.Long", "");
        assertThatThrownBy(() -> check(manifest, List.of(list), BUILT_IN, false))
                .hasMessageContaining("WordCounter.count (ListState \"count\") was stored as ValueState<java.lang.Long>"
                        + " without ttl and is now declared as ListState<java.lang.Long>");
        StateDescriptor text = new StateDescriptor(0, "app.WordCounter", "count", "count", StateKind.VALUE, 0,
                "java.lang.String", "");
        assertThatThrownBy(() -> check(manifest, List.of(text), BUILT_IN, false))
                .hasMessageContaining("its values were stored as java.lang.Long (codec built-in version 1) and are now"
                        + " declared as java.lang.String (codec built-in version 1)");
        assertThatThrownBy(() -> check(manifest, List.of(COUNT), VersionedCodecs.with(new VersionedCodecs.LongV1(), null),
                false))
                .hasMessageContaining("(codec built-in version 1) and are now declared as java.lang.Long (codec"
                        + " app.LongCodec version 1)");
    }

    @Test
    void aCodecVersionTheCodecCannotReadIsRefused() {
        CheckpointManifest manifest = manifest("rocksdb", List.of(COUNT), VersionedCodecs.with(new VersionedCodecs.LongV1(), null));
        assertThatThrownBy(() -> check(manifest, List.of(COUNT), VersionedCodecs.with(new VersionedCodecs.LongV2(), null),
                false))
                .hasMessageContaining("WordCounter.count (ValueState \"count\"): its values were stored by version 1 of"
                        + " codec app.LongCodec, which is now at version 2 and cannot read version 1")
                .hasMessageContaining("canDecode(1)");
        // A rollback: the stored version is newer than the codec.
        CheckpointManifest newer = manifest("rocksdb", List.of(COUNT), VersionedCodecs.with(new VersionedCodecs.LongV2(), null));
        assertThatThrownBy(() -> check(newer, List.of(COUNT), VersionedCodecs.with(new VersionedCodecs.LongV1(), null),
                false))
                .hasMessageContaining("stored by version 2 of codec app.LongCodec, which is now at version 1");
    }

    @Test
    void aCodecVersionTheCodecReadsIsConverted() throws Exception {
        StateCodecs v1 = VersionedCodecs.with(new VersionedCodecs.LongV1(), new VersionedCodecs.IntV1());
        StateCodecs v2 = VersionedCodecs.with(new VersionedCodecs.LongV2ReadingV1(), new VersionedCodecs.IntV2ReadingV1());
        RestorePlan plan = check(manifest("heap", List.of(COUNT, PER_HOUR), v1), List.of(COUNT, PER_HOUR), v2, false);
        assertThat(plan.converted()).containsOnly(
                Map.entry("app.WordCounter.count", new StoredForm(StateKind.VALUE, false, 1, 0)),
                Map.entry("app.WordCounter.perHour", new StoredForm(StateKind.MAP, false, 1, 1)));
    }

    @Test
    void aTtlGainedOrLostIsConverted() throws Exception {
        RestorePlan gained = check(manifest("rocksdb", List.of(COUNT), BUILT_IN), List.of(withTtl(COUNT, 1_000)), BUILT_IN,
                false);
        assertThat(gained.converted()).containsOnly(Map.entry("app.WordCounter.count",
                new StoredForm(StateKind.VALUE, false, 1, 0)));
        RestorePlan lost = check(manifest("rocksdb", List.of(withTtl(PER_HOUR, 1_000)), BUILT_IN), List.of(PER_HOUR),
                BUILT_IN, false);
        assertThat(lost.converted()).containsOnly(Map.entry("app.WordCounter.perHour",
                new StoredForm(StateKind.MAP, true, 1, 1)));
        // Another duration is no other form: values keep the expiry they were written with.
        assertThat(check(manifest("rocksdb", List.of(withTtl(COUNT, 1_000)), BUILT_IN), List.of(withTtl(COUNT, 9_000)),
                BUILT_IN, false)).isEqualTo(RestorePlan.NONE);
    }

    @Test
    void aChangedStateThatHeldNothingNeedsNothing() throws Exception {
        CheckpointManifest manifest = manifest("heap", List.of(COUNT), BUILT_IN, true);
        StateDescriptor text = new StateDescriptor(0, "app.WordCounter", "count", "count", StateKind.VALUE, 1_000,
                "java.lang.String", "");
        assertThat(check(manifest, List.of(text), BUILT_IN, false)).isEqualTo(RestorePlan.NONE);
    }

    /** A manifest written before states were recorded in full: a map of type@version per state. */
    static byte[] firstFormatManifest(String backend, Map<String, String> codecs) {
        StringBuilder entries = new StringBuilder();
        codecs.forEach((id, codec) -> entries.append(entries.length() == 0 ? "" : ", ").append('"').append(id)
                .append("\" : \"").append(codec).append('"'));
        return ("{ \"format\" : 1, \"id\" : \"chk-3-g1\", \"n\" : 3, \"generation\" : 1, \"savepoint\" : false,"
                + " \"backend\" : \"" + backend + "\", \"createdAt\" : \"2026-11-30T10:00:00Z\", \"uploadedBytes\" : 0,"
                + " \"offsets\" : { \"words-0\" : 10 }, \"codecs\" : { " + entries + " }, \"files\" : [ ] }")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aManifestOfTheFirstFormatIsComparedByWhatItRecords() throws Exception {
        CheckpointManifest old = CheckpointManifest.fromJson(firstFormatManifest("heap", Map.of(
                "app.WordCounter.count", "java.lang.Long@1",
                "app.WordCounter.perHour", "java.lang.Integer@1 -> java.lang.Long@1",
                "app.WordCounter.timers", "java.lang.Long@1")));
        assertThat(old.states()).hasSize(3);
        // Its ttl is not known: taken as declared, whatever it is.
        assertThat(check(old, List.of(withTtl(COUNT, 1_000), PER_HOUR, TIMERS), BUILT_IN, false)).isEqualTo(RestorePlan.NONE);
        assertThatThrownBy(() -> check(old, List.of(COUNT, PER_HOUR), BUILT_IN, true))
                .hasMessageContaining("app.WordCounter.timers")
                .hasMessageContaining("did not record the state's layout");
        StateDescriptor valueNotMap = new StateDescriptor(1, "app.WordCounter", "perHour", "perHour", StateKind.VALUE, 0,
                "java.lang.Long", "");
        assertThatThrownBy(() -> check(old, List.of(COUNT, valueNotMap, TIMERS), BUILT_IN, false))
                .hasMessageContaining("was stored as MapState<java.lang.Integer, java.lang.Long> and is now declared as"
                        + " ValueState<java.lang.Long>");

        CheckpointManifest oldRocksDb = CheckpointManifest.fromJson(firstFormatManifest("rocksdb", Map.of(
                "app.WordCounter.count", "java.lang.Long@1", "app.Gone.total", "java.lang.Long@1")));
        assertThat(check(oldRocksDb, List.of(COUNT), BUILT_IN, true).dropped()).containsOnlyKeys("app.Gone.total");
    }
}
