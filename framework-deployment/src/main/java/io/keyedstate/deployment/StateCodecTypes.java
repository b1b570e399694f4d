package io.keyedstate.deployment;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.Type;

import io.keyedstate.StateCodec;
import io.keyedstate.codec.BuiltInCodecs;

/**
 * Decides at build time whether a stored type has a codec: a built-in one, a user's
 * {@code StateCodec} bean, or Jackson (records, enums, and classes Jackson can construct).
 */
final class StateCodecTypes {

    static final DotName STATE_CODEC = DotName.createSimple(StateCodec.class);
    private static final Set<String> JACKSON_CONTAINERS = Set.of("java.util.List", "java.util.Set", "java.util.Map",
            "java.util.Collection", "java.util.Optional");

    private final IndexView index;
    private final Set<DotName> userCodecTypes = new HashSet<>();
    private final Map<String, String> userCodecs = new HashMap<>();

    StateCodecTypes(IndexView index) {
        this.index = index;
        for (ClassInfo codec : index.getAllKnownImplementors(STATE_CODEC)) {
            for (Type implemented : codec.interfaceTypes()) {
                if (implemented.name().equals(STATE_CODEC) && implemented.kind() == Type.Kind.PARAMETERIZED_TYPE) {
                    DotName encoded = implemented.asParameterizedType().arguments().get(0).name();
                    userCodecTypes.add(encoded);
                    userCodecs.put(encoded.toString(), codec.name().toString());
                }
            }
        }
    }

    /** Null if values of {@code type} can be stored; otherwise what is wrong and how to fix it. */
    String problemWith(Type type) {
        switch (type.kind()) {
            case WILDCARD_TYPE, TYPE_VARIABLE, UNRESOLVED_TYPE_VARIABLE, TYPE_VARIABLE_REFERENCE:
                return "type argument " + type + " is not a concrete type. State types must be concrete, such as"
                        + " ValueState<Long> or MapState<String, Order>, so that their values can be encoded.";
            case ARRAY:
                return type.name().toString().equals("[B") ? null
                        : "no codec for array type " + type + ". Use byte[] or a List, or declare a bean implementing"
                                + " io.keyedstate.StateCodec<" + type + ">.";
            case PARAMETERIZED_TYPE:
                if (JACKSON_CONTAINERS.contains(type.name().toString()) || userCodecTypes.contains(type.name())) {
                    for (Type argument : type.asParameterizedType().arguments()) {
                        String problem = problemWith(argument);
                        if (problem != null) {
                            return problem;
                        }
                    }
                    return null;
                }
                return problemWithClass(type.name());
            default:
                return problemWithClass(type.name());
        }
    }

    private String problemWithClass(DotName name) {
        if (BuiltInCodecs.covers(name.toString()) || userCodecTypes.contains(name)) {
            return null;
        }
        ClassInfo type = index.getClassByName(name);
        if (type == null) {
            // Not in the application's index (a JDK or library type): Jackson decides at runtime.
            return null;
        }
        boolean constructible = type.isRecord() || type.isEnum()
                || (!type.isInterface() && !java.lang.reflect.Modifier.isAbstract(type.flags())
                        && type.hasNoArgsConstructor());
        if (constructible) {
            return null;
        }
        return "no codec for " + name + (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.flags())
                ? " (an interface or abstract class)"
                : " (no no-args constructor)")
                + ". Store a record or a class with a no-args constructor (encoded with Jackson), or declare a bean"
                + " implementing io.keyedstate.StateCodec<" + name.withoutPackagePrefix() + ">.";
    }

    /** The application's codec classes, by the class name of the type each encodes. */
    Map<String, String> userCodecs() {
        return userCodecs;
    }

    /** The canonical form of {@code type} that Jackson's type factory parses: {@code java.util.List<com.acme.Order>}. */
    static String canonical(Type type) {
        if (type.kind() == Type.Kind.PARAMETERIZED_TYPE) {
            return type.name() + type.asParameterizedType().arguments().stream().map(StateCodecTypes::canonical)
                    .collect(Collectors.joining(",", "<", ">"));
        }
        return type.name().toString();
    }

    /**
     * Adds the application classes within {@code type} that Jackson encodes (not those with a
     * built-in or user codec): the ones a native image must be able to reflect on.
     */
    void collectJacksonClasses(Type type, Set<String> classes) {
        if (userCodecTypes.contains(type.name())) {
            return;
        }
        if (type.kind() == Type.Kind.PARAMETERIZED_TYPE) {
            type.asParameterizedType().arguments().forEach(argument -> collectJacksonClasses(argument, classes));
        }
        if (!BuiltInCodecs.covers(type.name().toString()) && index.getClassByName(type.name()) != null) {
            classes.add(type.name().toString());
        }
    }
}
