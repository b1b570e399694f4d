package io.keyedstate.state;

import java.time.Duration;

import io.keyedstate.codec.StateCodecs;

/**
 * How one state is stored: what a checkpoint's manifest records of it, and what a restore compares
 * with the application's declaration of the state.
 *
 * @param id the state's identity in a shard, {@code <bean class>.<state name>} (see
 *        {@link StateDescriptor#qualifiedName()})
 * @param beanClass the declaring bean's class name; null if the checkpoint does not record it
 * @param field the declaring field's name; null if the checkpoint does not record it
 * @param name the state name; null if the checkpoint does not record it
 * @param kind value, map, list or timers; null if the checkpoint does not record it
 * @param value how values (list elements, map values) are encoded; null for timers, which the
 *        framework stores itself
 * @param mapKey how a map state's keys are encoded; null for other kinds
 * @param ttlMillis the time to live, 0 for none, or {@link #UNKNOWN_TTL} if the checkpoint does not
 *        record it
 */
public record StateSchema(String id, String beanClass, String field, String name, StateKind kind, Codec value,
        Codec mapKey, long ttlMillis) {

    /** The time to live of a state in a checkpoint written before manifests recorded it. */
    public static final long UNKNOWN_TTL = -1;

    /**
     * How values of a state are encoded.
     *
     * @param type the canonical type, e.g. {@code java.util.List<com.acme.Order>}
     * @param codec the codec's name (see {@link StateCodecs#codecName}), or null if the checkpoint
     *        does not record it
     * @param version the codec's {@code version()} when the values were written
     */
    public record Codec(String type, String codec, int version) {

        @Override
        public String toString() {
            return type + " (codec " + (codec == null ? "" : codec + " ") + "version " + version + ")";
        }
    }

    /** How the application declares {@code state} now. */
    public static StateSchema of(StateDescriptor state, StateCodecs codecs) {
        Codec value = state.kind() == StateKind.TIMERS ? null : codec(state.valueType(), codecs);
        Codec mapKey = state.kind() == StateKind.MAP ? codec(state.mapKeyType(), codecs) : null;
        return new StateSchema(state.qualifiedName(), state.beanClass(), state.field(), state.name(), state.kind(), value,
                mapKey, state.ttlMillis());
    }

    private static Codec codec(String type, StateCodecs codecs) {
        return new Codec(type, codecs.codecName(type), codecs.forType(type).version());
    }

    public boolean ttlKnown() {
        return ttlMillis != UNKNOWN_TTL;
    }

    public boolean hasTtl() {
        return ttlMillis > 0;
    }

    /** How errors and logs name the state: {@code WordCounter.count (ValueState "count")}, or its id. */
    public String displayName() {
        if (beanClass == null || field == null || kind == null) {
            return id;
        }
        String simpleName = beanClass.substring(beanClass.lastIndexOf('.') + 1);
        return simpleName + "." + field + " (" + kind.apiType() + " \"" + name + "\")";
    }

    /** Its type as declared in Java, e.g. {@code MapState<java.lang.String, java.lang.Long>}, with its ttl. */
    public String describe() {
        String type = kind == null ? "state" : kind.apiType();
        if (kind != StateKind.TIMERS && value != null) {
            type += "<" + (mapKey == null ? "" : mapKey.type() + ", ") + value.type() + ">";
        }
        if (hasTtl()) {
            type += " with ttl " + Duration.ofMillis(ttlMillis);
        } else if (ttlKnown()) {
            type += " without ttl";
        }
        return type;
    }
}
