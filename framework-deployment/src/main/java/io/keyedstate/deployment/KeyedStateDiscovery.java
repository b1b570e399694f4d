package io.keyedstate.deployment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.FieldInfo;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import io.keyedstate.FiredTimer;
import io.keyedstate.KeyedState;
import io.keyedstate.OnTimer;
import io.keyedstate.Timers;
import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.ValueState;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.reactive.messaging.kafka.KafkaConnector;

/**
 * Finds every {@code @KeyedState} field in the index and checks it, collecting every problem so
 * that one build reports them all, each naming the class, the field and the fix.
 * <p>
 * Over 300 lines because each rule of a valid declaration (type, scope, TTL, codec, channel) is a
 * check with its own message, and they share one pass over the index.
 */
final class KeyedStateDiscovery {

    static final DotName KEYED_STATE = DotName.createSimple(KeyedState.class);
    private static final DotName VALUE_STATE = DotName.createSimple(ValueState.class);
    private static final DotName MAP_STATE = DotName.createSimple(MapState.class);
    private static final DotName LIST_STATE = DotName.createSimple(ListState.class);
    private static final DotName TIMERS = DotName.createSimple(Timers.class);
    static final DotName ON_TIMER = DotName.createSimple(OnTimer.class);
    private static final DotName FIRED_TIMER = DotName.createSimple(FiredTimer.class);
    static final DotName OUTGOING = DotName.createSimple(Outgoing.class);
    private static final Set<DotName> ASYNC_RESULTS = Set.of(DotName.createSimple(CompletionStage.class),
            DotName.createSimple(CompletableFuture.class), DotName.createSimple("io.smallrye.mutiny.Uni"));
    private static final DotName APPLICATION_SCOPED = DotName.createSimple(ApplicationScoped.class);
    private static final DotName SINGLETON = DotName.createSimple(Singleton.class);
    static final DotName INCOMING = DotName.createSimple(Incoming.class);
    static final DotName INCOMINGS = DotName.createSimple("org.eclipse.microprofile.reactive.messaging.Incomings");
    private static final DotName RUN_ON_VIRTUAL_THREAD = DotName.createSimple("io.smallrye.common.annotation.RunOnVirtualThread");
    static final DotName MESSAGING_BLOCKING = DotName
            .createSimple("io.smallrye.reactive.messaging.annotations.Blocking");

    private final IndexView index;
    private final Config config;
    private final StateCodecTypes codecs;
    private final List<String> problems = new ArrayList<>();

    KeyedStateDiscovery(IndexView index, Config config) {
        this.index = index;
        this.config = config;
        this.codecs = new StateCodecTypes(index);
    }

    List<String> problems() {
        return problems;
    }

    KeyedStatesBuildItem discover() {
        Map<ClassInfo, List<FieldInfo>> fieldsByBean = new HashMap<>();
        for (AnnotationInstance annotation : index.getAnnotations(KEYED_STATE)) {
            if (annotation.target().kind() != AnnotationTarget.Kind.FIELD) {
                problems.add("@KeyedState on " + annotation.target() + ": only fields can be keyed state. Declare a field"
                        + " such as `@KeyedState ValueState<Long> count;` instead.");
                continue;
            }
            FieldInfo field = annotation.target().asField();
            fieldsByBean.computeIfAbsent(field.declaringClass(), c -> new ArrayList<>()).add(field);
        }

        List<ClassInfo> beans = new ArrayList<>(fieldsByBean.keySet());
        beans.sort(Comparator.comparing(bean -> bean.name().toString()));
        List<StateDescriptor> states = new ArrayList<>();
        List<OnTimerMethod> onTimerMethods = new ArrayList<>();
        Set<String> channels = new LinkedHashSet<>();
        Set<String> concurrentChannels = new LinkedHashSet<>();
        Set<String> handlerOutgoings = new LinkedHashSet<>();
        Set<String> jacksonClasses = new LinkedHashSet<>();
        for (ClassInfo bean : beans) {
            checkScope(bean);
            channels.addAll(kafkaChannels(bean, concurrentChannels, handlerOutgoings));
            List<FieldInfo> fields = fieldsByBean.get(bean);
            fields.sort(Comparator.comparing(FieldInfo::name));
            Map<String, FieldInfo> byStateName = new HashMap<>();
            for (FieldInfo field : fields) {
                describe(field, states.size(), jacksonClasses).ifPresent(state -> {
                    FieldInfo clash = byStateName.putIfAbsent(state.name(), field);
                    if (clash != null) {
                        problems.add(where(field) + ": state name \"" + state.name() + "\" is already used by field '"
                                + clash.name() + "' of the same bean. Give one of them another name with"
                                + " @KeyedState(name = \"...\").");
                    } else {
                        states.add(state);
                    }
                });
            }
            onTimerMethod(bean, states).ifPresent(onTimerMethods::add);
        }
        for (AnnotationInstance onTimer : index.getAnnotations(ON_TIMER)) {
            ClassInfo declaring = onTimer.target().asMethod().declaringClass();
            if (states.stream().noneMatch(state -> state.kind() == StateKind.TIMERS
                    && state.beanClass().equals(declaring.name().toString()))) {
                problems.add("@OnTimer method " + declaring.name() + "." + onTimer.target().asMethod().name() + ": its"
                        + " bean has no `@KeyedState Timers` field, so no timer can fire it. Declare one in " + declaring.name()
                        + " and register timers through it.");
            }
        }
        return new KeyedStatesBuildItem(states, channels, concurrentChannels, handlerOutgoings, jacksonClasses,
                codecs.userCodecs(), onTimerMethods);
    }

    /**
     * The {@code @OnTimer} method of a bean with a {@code Timers} field, checked: one per bean, a
     * {@code FiredTimer} parameter or none, and a result it can send only if the bean's handler has
     * an {@code @Outgoing} channel.
     */
    private Optional<OnTimerMethod> onTimerMethod(ClassInfo bean, List<StateDescriptor> states) {
        List<StateDescriptor> timers = states.stream()
                .filter(state -> state.kind() == StateKind.TIMERS && state.beanClass().equals(bean.name().toString()))
                .toList();
        List<MethodInfo> methods = bean.methods().stream().filter(method -> method.hasDeclaredAnnotation(ON_TIMER)).toList();
        if (timers.isEmpty()) {
            return Optional.empty();
        }
        if (timers.size() > 1) {
            problems.add(bean.name() + " has " + timers.size() + " `@KeyedState Timers` fields (" + timers.stream()
                    .map(StateDescriptor::field).toList() + "); one is enough, since all of a bean's timers fire its"
                    + " @OnTimer method. Keep one.");
            return Optional.empty();
        }
        if (methods.size() != 1) {
            problems.add(bean.name() + " has a `@KeyedState Timers` field and " + (methods.isEmpty() ? "no @OnTimer method"
                    : methods.size() + " @OnTimer methods " + methods.stream().map(MethodInfo::name).toList())
                    + ". Its timers need exactly one method to run when they fire, for example"
                    + " `@OnTimer void onTimer(FiredTimer timer)`.");
            return Optional.empty();
        }
        MethodInfo method = methods.get(0);
        String where = "@OnTimer method " + bean.name() + "." + method.name();
        boolean ok = true;
        if (method.parametersCount() > 1
                || (method.parametersCount() == 1 && !method.parameterType(0).name().equals(FIRED_TIMER))) {
            problems.add(where + ": its parameters are " + method.parameterTypes() + ". It may take one parameter, an"
                    + " io.keyedstate.FiredTimer, or none.");
            ok = false;
        }
        if (java.lang.reflect.Modifier.isPrivate(method.flags()) || java.lang.reflect.Modifier.isStatic(method.flags())) {
            problems.add(where + " is private or static. Make it a non-private instance method.");
            ok = false;
        }
        String outgoing = null;
        Type result = method.returnType();
        if (result.kind() != Type.Kind.VOID && !ASYNC_RESULTS.contains(result.name())) {
            outgoing = handlerOutgoing(bean);
            if (outgoing == null) {
                problems.add(where + " returns " + result + ", but no @Incoming method of " + bean.name() + " has an"
                        + " @Outgoing channel for it to go to. Return void (or the CompletionStage of an Emitter send), or"
                        + " give the handler an @Outgoing channel.");
                ok = false;
            }
        }
        return ok ? Optional.of(new OnTimerMethod(timers.get(0).id(), bean.name().toString(), method.name(),
                method.parametersCount() == 1, outgoing)) : Optional.empty();
    }

    /** The {@code @Outgoing} channel of the bean's Kafka {@code @Incoming} method, or null. */
    private String handlerOutgoing(ClassInfo bean) {
        for (MethodInfo method : bean.methods()) {
            AnnotationInstance outgoing = method.declaredAnnotation(OUTGOING);
            if (outgoing != null && !method.declaredAnnotationsWithRepeatable(INCOMING, index).isEmpty()) {
                return outgoing.value().asString();
            }
        }
        return null;
    }

    private void checkScope(ClassInfo bean) {
        if (!bean.hasDeclaredAnnotation(APPLICATION_SCOPED) && !bean.hasDeclaredAnnotation(SINGLETON)) {
            problems.add(bean.name() + " has @KeyedState fields but is not @ApplicationScoped or @Singleton. Keyed state"
                    + " lives as long as the application and is shared by all records, so annotate the class with"
                    + " @ApplicationScoped (or @Singleton).");
        }
    }

    /**
     * The bean's Kafka {@code @Incoming} channels; a problem if it has none. Channels whose handler
     * runs records concurrently ({@code @RunOnVirtualThread}, {@code @Blocking(ordered = false)})
     * also go to {@code concurrent}; the {@code @Outgoing} channels of their handlers go to
     * {@code outgoings}.
     */
    private Set<String> kafkaChannels(ClassInfo bean, Set<String> concurrent, Set<String> outgoings) {
        Set<String> channels = new LinkedHashSet<>();
        Set<String> otherConnectors = new LinkedHashSet<>();
        for (MethodInfo method : bean.methods()) {
            for (AnnotationInstance incoming : method.declaredAnnotationsWithRepeatable(INCOMING, index)) {
                String channel = incoming.value().asString();
                Optional<String> connector = config.getOptionalValue("mp.messaging.incoming." + channel + ".connector",
                        String.class);
                if (connector.isEmpty() || connector.get().equals(KafkaConnector.CONNECTOR_NAME)) {
                    channels.add(channel);
                    if (runsRecordsConcurrently(method)) {
                        concurrent.add(channel);
                    }
                    AnnotationInstance outgoing = method.declaredAnnotation(OUTGOING);
                    if (outgoing != null) {
                        outgoings.add(outgoing.value().asString());
                    }
                } else {
                    otherConnectors.add(channel + " (" + connector.get() + ")");
                }
            }
        }
        if (channels.isEmpty()) {
            problems.add(bean.name() + " has @KeyedState fields but no @Incoming method on a Kafka channel"
                    + (otherConnectors.isEmpty() ? "" : "; its channels use other connectors: " + otherConnectors)
                    + ". Keyed state is scoped to the key of the Kafka record being handled: add an @Incoming method"
                    + " whose channel uses the smallrye-kafka connector, or move the state to the bean that has one.");
        }
        return channels;
    }

    private static boolean runsRecordsConcurrently(MethodInfo method) {
        if (method.hasDeclaredAnnotation(RUN_ON_VIRTUAL_THREAD)) {
            return true;
        }
        AnnotationInstance blocking = method.declaredAnnotation(MESSAGING_BLOCKING);
        return blocking != null && blocking.value("ordered") != null && !blocking.value("ordered").asBoolean();
    }

    private Optional<StateDescriptor> describe(FieldInfo field, int id, Set<String> jacksonClasses) {
        AnnotationInstance annotation = field.annotation(KEYED_STATE);
        Type type = field.type();
        StateKind kind = kindOf(type.name());
        if (kind == null) {
            problems.add(where(field) + ": type " + type + " is not keyed state. Use ValueState<T>, MapState<K, V>,"
                    + " ListState<T> or Timers from package io.keyedstate.");
            return Optional.empty();
        }
        String name = annotation.value("name") == null || annotation.value("name").asString().isEmpty() ? field.name()
                : annotation.value("name").asString();
        if (kind == StateKind.TIMERS) {
            if (annotation.value("ttl") != null && !annotation.value("ttl").asString().isBlank()) {
                problems.add(where(field) + ": timers have no ttl; a timer lives until it fires or is deleted. Remove"
                        + " the ttl.");
                return Optional.empty();
            }
            // Times are longs; the value type names how the size estimate counts them.
            return Optional.of(new StateDescriptor(id, field.declaringClass().name().toString(), field.name(), name, kind,
                    0, Long.class.getName(), ""));
        }
        if (type.kind() != Type.Kind.PARAMETERIZED_TYPE) {
            problems.add(where(field) + ": raw " + kind.apiType() + ". Give its type arguments, for example "
                    + (kind == StateKind.MAP ? "MapState<String, Long>" : kind.apiType() + "<Long>") + ".");
            return Optional.empty();
        }
        boolean typesOk = true;
        for (Type argument : type.asParameterizedType().arguments()) {
            typesOk &= checkStoredType(field, argument);
            codecs.collectJacksonClasses(argument, jacksonClasses);
        }
        long ttlMillis = 0;
        if (annotation.value("ttl") != null && !annotation.value("ttl").asString().isBlank()) {
            String ttl = annotation.value("ttl").asString();
            try {
                ttlMillis = DurationConverter.parseDuration(ttl).toMillis();
                if (ttlMillis <= 0) {
                    throw new IllegalArgumentException("not positive");
                }
            } catch (RuntimeException e) {
                problems.add(where(field) + ": ttl \"" + ttl + "\" is not a positive duration. Use an ISO-8601 duration"
                        + " such as \"P1D\" or \"PT30M\", or a Quarkus duration such as \"30m\" or \"10s\".");
                typesOk = false;
            }
        }
        if (!typesOk) {
            return Optional.empty();
        }
        List<Type> arguments = type.asParameterizedType().arguments();
        String valueType = StateCodecTypes.canonical(arguments.get(arguments.size() - 1));
        String mapKeyType = kind == StateKind.MAP ? StateCodecTypes.canonical(arguments.get(0)) : "";
        return Optional.of(new StateDescriptor(id, field.declaringClass().name().toString(), field.name(), name, kind,
                ttlMillis, valueType, mapKeyType));
    }

    private boolean checkStoredType(FieldInfo field, Type type) {
        String problem = codecs.problemWith(type);
        if (problem == null) {
            return true;
        }
        problems.add(where(field) + ": " + problem);
        return false;
    }

    private static StateKind kindOf(DotName name) {
        if (name.equals(VALUE_STATE)) {
            return StateKind.VALUE;
        } else if (name.equals(MAP_STATE)) {
            return StateKind.MAP;
        } else if (name.equals(LIST_STATE)) {
            return StateKind.LIST;
        } else if (name.equals(TIMERS)) {
            return StateKind.TIMERS;
        }
        return null;
    }

    static String where(FieldInfo field) {
        return "@KeyedState field " + field.declaringClass().name() + "." + field.name();
    }
}
