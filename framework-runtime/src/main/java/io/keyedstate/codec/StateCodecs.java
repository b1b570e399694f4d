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

    /** The name of the built-in codecs in checkpoints. */
    public static final String BUILT_IN = "built-in";
    /** The name of the Jackson codec in checkpoints. */
    public static final String JACKSON = "jackson";

    private final ObjectMapper mapper;
    private final Map<String, StateCodec<?>> userCodecs;
    private final Map<String, String> userCodecNames;
    private final Map<String, StateCodec<Object>> byType = new ConcurrentHashMap<>();
    private final Map<Class<?>, StateCodec<Object>> byKeyClass = new ConcurrentHashMap<>();

    /**
     * @param userCodecs the application's codecs, by the class name of the type they encode
     */
    public StateCodecs(ObjectMapper mapper, Map<String, StateCodec<?>> userCodecs) {
        this(mapper, userCodecs, Map.of());
    }

    /**
     * @param userCodecs the application's codecs, by the class name of the type they encode
     * @param userCodecNames the class names of the application's codec beans, by the same keys: how
     *        checkpoints name them (a codec instance may be a proxy of its bean)
     */
    public StateCodecs(ObjectMapper mapper, Map<String, StateCodec<?>> userCodecs, Map<String, String> userCodecNames) {
        this.mapper = mapper;
        this.userCodecs = Map.copyOf(userCodecs);
        this.userCodecNames = Map.copyOf(userCodecNames);
    }

    /** The codec of values of a canonical type. */
    public StateCodec<Object> forType(String canonicalType) {
        return byType.computeIfAbsent(canonicalType, this::resolve);
    }

    /** The codec of a record key: chosen by the key's class, which is the channel's key type. */
    public StateCodec<Object> forKey(Object key) {
        return byKeyClass.computeIfAbsent(key.getClass(), type -> forType(type.getName()));
    }

    /**
     * How checkpoints name the codec of a canonical type: {@value #BUILT_IN}, {@value #JACKSON}, or
     * the class name of the application's codec. Stored bytes are only ever read by the codec that
     * wrote them (at that codec's version or one it can read).
     */
    public String codecName(String canonicalType) {
        String rawType = rawType(canonicalType);
        StateCodec<?> user = userCodecs.get(rawType);
        if (user != null) {
            return userCodecNames.getOrDefault(rawType, user.getClass().getName());
        }
        return BuiltInCodecs.forName(rawType) != null && rawType.equals(canonicalType) ? BUILT_IN : JACKSON;
    }

    private static String rawType(String canonicalType) {
        int generic = canonicalType.indexOf('<');
        return generic < 0 ? canonicalType : canonicalType.substring(0, generic);
    }

    @SuppressWarnings("unchecked")
    private StateCodec<Object> resolve(String canonicalType) {
        String rawType = rawType(canonicalType);
        StateCodec<?> user = userCodecs.get(rawType);
        if (user != null) {
            return (StateCodec<Object>) user;
        }
        StateCodec<?> builtIn = BuiltInCodecs.forName(rawType);
        if (builtIn != null && rawType.equals(canonicalType)) {
            return (StateCodec<Object>) builtIn;
        }
        return new JacksonStateCodec<>(mapper, mapper.getTypeFactory().constructFromCanonical(canonicalType));
    }
}
