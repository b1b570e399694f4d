package io.keyedstate.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTransformation;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import io.keyedstate.runtime.batch.KafkaOutput;
import io.keyedstate.runtime.batch.KeyedBatches;
import io.keyedstate.runtime.batch.RecordHandler;
import io.keyedstate.state.StateDescriptor;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.AnnotationsTransformerBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanGizmoAdaptor;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.gizmo.ClassCreator;
import io.quarkus.gizmo.FieldDescriptor;
import io.quarkus.gizmo.MethodCreator;
import io.quarkus.gizmo.MethodDescriptor;
import io.quarkus.gizmo.ResultHandle;
import io.smallrye.reactive.messaging.kafka.KafkaConnector;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;

/**
 * Keyed handlers that can run batched do: the handler's method keeps its annotations in the
 * source, but SmallRye sees a generated consumer of its channel instead, which takes a poll's
 * records as one message and calls the method once per record through {@link KeyedBatches}. A
 * blocking handler then costs one hand-off to a worker thread per poll, not per record, and no
 * record goes through SmallRye's per-message operators. Handlers that need those keep them:
 * anything but one payload, {@code Record} or {@code ConsumerRecord} parameter and a
 * {@code void} result (outputs, messages and their acknowledgement, reactive results), handlers
 * that run records concurrently, and channels that are batches already or shared by methods.
 */
class BatchedHandlersProcessor {

    private static final DotName RECORD = DotName.createSimple(io.smallrye.reactive.messaging.kafka.Record.class);
    private static final DotName CONSUMER_RECORD = DotName
            .createSimple(org.apache.kafka.clients.consumer.ConsumerRecord.class);
    private static final DotName NON_BLOCKING = DotName.createSimple("io.smallrye.common.annotation.NonBlocking");
    private static final DotName ACKNOWLEDGMENT = DotName.createSimple(Acknowledgment.class);
    private static final DotName OUTGOINGS = DotName.createSimple("io.smallrye.reactive.messaging.annotations.Outgoings");
    private static final DotName BROADCAST = DotName.createSimple("io.smallrye.reactive.messaging.annotations.Broadcast");
    /** Result types that are not one result per record, now: streams, deferred results, generic payloads. */
    private static final Set<String> NOT_ONE_RESULT = Set.of("io.smallrye.mutiny.Uni", "io.smallrye.mutiny.Multi",
            "java.util.concurrent.CompletionStage", "java.util.concurrent.CompletableFuture", "org.reactivestreams.Publisher",
            "java.util.concurrent.Flow$Publisher", "org.eclipse.microprofile.reactive.streams.operators.PublisherBuilder",
            "org.eclipse.microprofile.reactive.streams.operators.ProcessorBuilder", "io.smallrye.reactive.messaging.GenericPayload");
    /** Parameter types SmallRye gives a meaning of their own: messages, batches, streams. */
    private static final Set<String> NOT_A_PAYLOAD = Set.of("org.eclipse.microprofile.reactive.messaging.Message",
            "io.smallrye.reactive.messaging.kafka.KafkaRecord", "io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord",
            "io.smallrye.reactive.messaging.kafka.KafkaRecordBatch", "java.util.List",
            "org.apache.kafka.clients.consumer.ConsumerRecords", "io.smallrye.mutiny.Multi",
            "org.reactivestreams.Publisher", "java.util.concurrent.Flow$Publisher",
            "org.eclipse.microprofile.reactive.streams.operators.PublisherBuilder");

    @BuildStep
    BatchedHandlersBuildItem batchedHandlers(KeyedStatesBuildItem states, CombinedIndexBuildItem combined,
            KeyedStateBuildTimeConfig config, Capabilities capabilities) {
        List<BatchedHandler> handlers = new ArrayList<>();
        if (!config.batchedHandlers()) {
            return new BatchedHandlersBuildItem(handlers);
        }
        IndexView index = combined.getIndex();
        Map<String, Integer> consumers = new HashMap<>();
        index.getAnnotations(KeyedStateDiscovery.INCOMING).forEach(incoming -> consumers.merge(incoming.value().asString(), 1,
                Integer::sum));
        // Outputs the sink would trace (as it does by default with a tracer), or otherwise add to,
        // stay on SmallRye's sink.
        boolean tracer = capabilities.isPresent(Capability.OPENTELEMETRY_TRACER);
        Set<String> kafkaOutgoings = new HashSet<>();
        index.getAnnotations(KeyedStateDiscovery.OUTGOING).stream().map(outgoing -> outgoing.value().asString())
                .filter(channel -> kafkaChannel(channel, consumers) && KafkaOutput.unsent(channel, tracer).isEmpty())
                .forEach(kafkaOutgoings::add);
        states.states().stream().map(StateDescriptor::beanClass).distinct().map(index::getClassByName)
                .flatMap(bean -> bean.methods().stream())
                .forEach(method -> batchable(method, states, consumers, kafkaOutgoings, index).ifPresent(handlers::add));
        return new BatchedHandlersBuildItem(handlers);
    }

    private static java.util.Optional<BatchedHandler> batchable(MethodInfo method, KeyedStatesBuildItem states,
            Map<String, Integer> consumers, Set<String> kafkaOutgoings, IndexView index) {
        List<AnnotationInstance> incomings = method.declaredAnnotationsWithRepeatable(KeyedStateDiscovery.INCOMING, index);
        if (incomings.size() != 1 || method.parametersCount() != 1 || method.hasDeclaredAnnotation(ACKNOWLEDGMENT)
                || Modifier.isPrivate(method.flags()) || Modifier.isStatic(method.flags())) {
            return java.util.Optional.empty();
        }
        String outgoing = null;
        if (method.returnType().kind() != Type.Kind.VOID) {
            outgoing = sentToKafka(method, kafkaOutgoings, index).orElse(null);
            if (outgoing == null) {
                return java.util.Optional.empty();
            }
        } else if (!method.declaredAnnotationsWithRepeatable(KeyedStateDiscovery.OUTGOING, index).isEmpty()) {
            return java.util.Optional.empty();
        }
        String channel = incomings.get(0).value().asString();
        boolean alreadyBatch = ConfigProvider.getConfig()
                .getOptionalValue("mp.messaging.incoming." + channel + ".batch", Boolean.class).orElse(false);
        if (!states.channels().contains(channel) || states.concurrentChannels().contains(channel) || alreadyBatch
                || consumers.getOrDefault(channel, 0) != 1) {
            return java.util.Optional.empty();
        }
        DotName parameter = method.parameterType(0).name();
        if (NOT_A_PAYLOAD.contains(parameter.toString())) {
            return java.util.Optional.empty();
        }
        int argument = parameter.equals(RECORD) ? KeyedBatches.RECORD
                : parameter.equals(CONSUMER_RECORD) ? KeyedBatches.CONSUMER_RECORD : KeyedBatches.PAYLOAD;
        AnnotationInstance blocking = method.declaredAnnotation(KeyedStateDiscovery.MESSAGING_BLOCKING);
        return java.util.Optional.of(new BatchedHandler(method, channel, argument, outgoing,
                !method.hasDeclaredAnnotation(NON_BLOCKING), BatchedHandler.poolOf(blocking)));
    }

    /**
     * Whether an outgoing channel goes to the Kafka connector: configured so, or left to Quarkus,
     * which attaches a channel nothing in the application consumes to the only connector there is
     * (SmallRye's channel items come too late here: they are built from this build's beans). The
     * output checks the connector again at startup.
     */
    private static boolean kafkaChannel(String channel, Map<String, Integer> consumers) {
        return ConfigProvider.getConfig().getOptionalValue("mp.messaging.outgoing." + channel + ".connector", String.class)
                .map(KafkaConnector.CONNECTOR_NAME::equals).orElse(!consumers.containsKey(channel));
    }

    /**
     * The Kafka channel a handler's results go to, if they can go there straight: one result per
     * record (no reactive type, no broadcast), to a channel of the Kafka connector whose sink adds
     * nothing the batched path leaves out (see {@link KafkaOutput#unsent}).
     */
    private static java.util.Optional<String> sentToKafka(MethodInfo method, Set<String> kafkaOutgoings, IndexView index) {
        List<AnnotationInstance> outgoings = method.declaredAnnotationsWithRepeatable(KeyedStateDiscovery.OUTGOING, index);
        if (outgoings.size() != 1 || method.hasDeclaredAnnotation(OUTGOINGS) || method.hasDeclaredAnnotation(BROADCAST)
                || method.returnType().kind() == Type.Kind.PRIMITIVE
                || NOT_ONE_RESULT.contains(method.returnType().name().toString())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(outgoings.get(0).value().asString()).filter(kafkaOutgoings::contains);
    }

    /** SmallRye is to wire the generated consumer to the channels, not the handler's method. */
    @BuildStep
    AnnotationsTransformerBuildItem handlersLeaveTheirChannels(BatchedHandlersBuildItem batched) {
        Set<MethodInfo> methods = Set.copyOf(batched.handlers().stream().map(BatchedHandler::method).toList());
        return new AnnotationsTransformerBuildItem(AnnotationTransformation.forMethods()
                .when(context -> methods.contains(context.declaration()))
                .transform(context -> context.remove(annotation -> annotation.name().equals(KeyedStateDiscovery.INCOMING)
                        || annotation.name().equals(KeyedStateDiscovery.INCOMINGS)
                        || annotation.name().equals(KeyedStateDiscovery.OUTGOING))));
    }

    @BuildStep
    void batchChannels(BatchedHandlersBuildItem batched, BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        for (BatchedHandler handler : batched.handlers()) {
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    "mp.messaging.incoming." + handler.channel() + ".batch", "true"));
        }
        if (!batched.handlers().isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(KeyedBatches.class));
        }
    }

    /**
     * Per handler, a bean that is both the consumer SmallRye wires to the channel and the
     * {@link RecordHandler} that calls the handler's method directly. A handler with results is a
     * processor of its channels to SmallRye, so that its output channel keeps its upstream (and the
     * {@code @OnTimer} results merged into it), but it emits nothing: the results are sent by
     * {@link KeyedBatches}, and the batch is acknowledged by it, not on a null result.
     */
    @BuildStep
    void generateBatchConsumers(BatchedHandlersBuildItem batched, BuildProducer<GeneratedBeanBuildItem> generated) {
        GeneratedBeanGizmoAdaptor output = new GeneratedBeanGizmoAdaptor(generated);
        for (BatchedHandler handler : batched.handlers()) {
            MethodInfo method = handler.method();
            ClassInfo bean = method.declaringClass();
            String name = bean.name().toString() + "_KeyedBatch_" + method.name();
            try (ClassCreator creator = ClassCreator.builder().classOutput(output).className(name)
                    .interfaces(RecordHandler.class).build()) {
                creator.addAnnotation(Singleton.class);
                FieldDescriptor target = creator.getFieldCreator("bean", bean.name().toString())
                        .setModifiers(Modifier.PRIVATE | Modifier.FINAL).getFieldDescriptor();
                FieldDescriptor batches = creator.getFieldCreator("batches", KeyedBatches.class)
                        .setModifiers(Modifier.PRIVATE | Modifier.FINAL).getFieldDescriptor();
                FieldDescriptor results = creator.getFieldCreator("output", KafkaOutput.class)
                        .setModifiers(Modifier.PRIVATE | Modifier.FINAL).getFieldDescriptor();

                MethodCreator constructor = creator.getMethodCreator("<init>", "V", bean.name().toString(),
                        KeyedBatches.class.getName());
                constructor.addAnnotation(Inject.class);
                constructor.invokeSpecialMethod(MethodDescriptor.ofConstructor(Object.class), constructor.getThis());
                // The bean itself, not its client proxy: a context lookup per record saved (it is application scoped or a singleton).
                constructor.writeInstanceField(target, constructor.getThis(), constructor.checkCast(
                        constructor.invokeStaticInterfaceMethod(MethodDescriptor.ofMethod(io.quarkus.arc.ClientProxy.class, "unwrap",
                                Object.class, Object.class), constructor.getMethodParam(0)),
                        bean.name().toString()));
                constructor.writeInstanceField(batches, constructor.getThis(), constructor.getMethodParam(1));
                // Created with the bean, at startup: a channel it cannot send to as SmallRye would stops the start.
                constructor.writeInstanceField(results, constructor.getThis(), handler.outgoing() == null
                        ? constructor.loadNull()
                        : constructor.invokeVirtualMethod(MethodDescriptor.ofMethod(KeyedBatches.class, "output",
                                KafkaOutput.class, String.class), constructor.getMethodParam(1),
                                constructor.load(handler.outgoing())));
                constructor.returnVoid();

                MethodCreator handle = creator.getMethodCreator("handle", Object.class, Object.class);
                ResultHandle argument = handle.checkCast(handle.getMethodParam(0), method.parameterType(0).name().toString());
                ResultHandle result = handle.invokeVirtualMethod(MethodDescriptor.of(method),
                        handle.readInstanceField(target, handle.getThis()), argument);
                handle.returnValue(handler.outgoing() == null ? handle.loadNull() : result);

                MethodCreator consume = handler.outgoing() == null
                        ? creator.getMethodCreator("consume", CompletionStage.class, KafkaRecordBatch.class)
                        : creator.getMethodCreator("consume", Message.class, KafkaRecordBatch.class);
                consume.addAnnotation(Incoming.class).addValue("value", handler.channel());
                if (handler.outgoing() != null) {
                    consume.addAnnotation(Outgoing.class).addValue("value", handler.outgoing());
                    consume.addAnnotation(Acknowledgment.class).addValue("value", Acknowledgment.Strategy.MANUAL);
                }
                if (handler.blocking()) {
                    var blocking = consume.addAnnotation(io.smallrye.reactive.messaging.annotations.Blocking.class);
                    if (handler.blockingPool() != null) {
                        blocking.addValue("value", handler.blockingPool());
                    }
                } else {
                    consume.addAnnotation(io.smallrye.common.annotation.NonBlocking.class);
                }
                ResultHandle processed = consume.invokeVirtualMethod(
                        MethodDescriptor.ofMethod(KeyedBatches.class, "process", CompletionStage.class, String.class,
                                KafkaRecordBatch.class, RecordHandler.class, int.class, KafkaOutput.class),
                        consume.readInstanceField(batches, consume.getThis()), consume.load(handler.channel()),
                        consume.getMethodParam(0), consume.getThis(), consume.load(handler.argument()),
                        consume.readInstanceField(results, consume.getThis()));
                consume.returnValue(handler.outgoing() == null ? processed : consume.loadNull());
            }
        }
    }
}
