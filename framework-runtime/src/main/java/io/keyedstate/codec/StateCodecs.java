package io.keyedstate.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.StateCodec;

/**
 * Picks the codec of a stored type: the application's own {@code StateCodec} bean for it, else a
 * built-in one, else Jackson. Types come as canonical strings recorded at build time
 * ({@code java.util.List<com.acme.Order>}), so no reflection on fields is needed at runtime.
 */
public final class StateCodecs {

    private final ObjectMapper mapper;
    private final Map<String, StateCodec<?>> userCodecs;
    private final Map<String, StateCodec<Object>> byType = new ConcurrentHashMap<>();
    private final Map<Class<?>, StateCodec<Object>> byKeyClass = new ConcurrentHashMap<>();

    /**
     * @param userCodecs the application's codecs, by the class name of the type they encode
     */
    public StateCodecs(ObjectMapper mapper, Map<String, StateCodec<?>> userCodecs) {
        this.mapper = mapper;
        this.userCodecs = Map.copyOf(userCodecs);
    }

    /** The codec of values of a canonical type. */
    public StateCodec<Object> forType(String canonicalType) {
        return byType.computeIfAbsent(canonicalType, this::resolve);
    }

    /** The codec of a record key: chosen by the key's class, which is the channel's key type. */
    public StateCodec<Object> forKey(Object key) {
        return byKeyClass.computeIfAbsent(key.getClass(), type -> forType(type.getName()));
    }

    @SuppressWarnings("unchecked")
    private StateCodec<Object> resolve(String canonicalType) {
        int generic = canonicalType.indexOf('<');
        String rawType = generic < 0 ? canonicalType : canonicalType.substring(0, generic);
        StateCodec<?> user = userCodecs.get(rawType);
        if (user != null) {
            return (StateCodec<Object>) user;
        }
        StateCodec<?> builtIn = BuiltInCodecs.forName(rawType);
        if (builtIn != null && generic < 0) {
            return (StateCodec<Object>) builtIn;
        }
        return new JacksonStateCodec<>(mapper, mapper.getTypeFactory().constructFromCanonical(canonicalType));
    }
}
