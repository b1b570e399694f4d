package io.keyedstate.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTransformation;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import io.keyedstate.runtime.batch.KeyedBatches;
import io.keyedstate.runtime.batch.RecordHandler;
import io.keyedstate.state.StateDescriptor;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.AnnotationsTransformerBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanGizmoAdaptor;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.gizmo.ClassCreator;
import io.quarkus.gizmo.FieldDescriptor;
import io.quarkus.gizmo.MethodCreator;
import io.quarkus.gizmo.MethodDescriptor;
import io.quarkus.gizmo.ResultHandle;
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
    /** Parameter types SmallRye gives a meaning of their own: messages, batches, streams. */
    private static final Set<String> NOT_A_PAYLOAD = Set.of("org.eclipse.microprofile.reactive.messaging.Message",
            "io.smallrye.reactive.messaging.kafka.KafkaRecord", "io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord",
            "io.smallrye.reactive.messaging.kafka.KafkaRecordBatch", "java.util.List",
            "org.apache.kafka.clients.consumer.ConsumerRecords", "io.smallrye.mutiny.Multi",
            "org.reactivestreams.Publisher", "java.util.concurrent.Flow$Publisher",
            "org.eclipse.microprofile.reactive.streams.operators.PublisherBuilder");

    @BuildStep
    BatchedHandlersBuildItem batchedHandlers(KeyedStatesBuildItem states, CombinedIndexBuildItem combined,
            KeyedStateBuildTimeConfig config) {
        List<BatchedHandler> handlers = new ArrayList<>();
        if (!config.batchedHandlers()) {
            return new BatchedHandlersBuildItem(handlers);
        }
        IndexView index = combined.getIndex();
        Map<String, Integer> consumers = new HashMap<>();
        index.getAnnotations(KeyedStateDiscovery.INCOMING).forEach(incoming -> consumers.merge(incoming.value().asString(), 1,
                Integer::sum));
        states.states().stream().map(StateDescriptor::beanClass).distinct().map(index::getClassByName)
                .flatMap(bean -> bean.methods().stream())
                .forEach(method -> batchable(method, states, consumers, index).ifPresent(handlers::add));
        return new BatchedHandlersBuildItem(handlers);
    }

    private static java.util.Optional<BatchedHandler> batchable(MethodInfo method, KeyedStatesBuildItem states,
            Map<String, Integer> consumers, IndexView index) {
        List<AnnotationInstance> incomings = method.declaredAnnotationsWithRepeatable(KeyedStateDiscovery.INCOMING, index);
        if (incomings.size() != 1 || method.parametersCount() != 1 || method.returnType().kind() != Type.Kind.VOID
                || method.hasDeclaredAnnotation(KeyedStateDiscovery.OUTGOING) || method.hasDeclaredAnnotation(ACKNOWLEDGMENT)
                || Modifier.isPrivate(method.flags()) || Modifier.isStatic(method.flags())) {
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
        return java.util.Optional.of(new BatchedHandler(method, channel, argument,
                !method.hasDeclaredAnnotation(NON_BLOCKING), BatchedHandler.poolOf(blocking)));
    }

    /** SmallRye is to wire the generated consumer to the channel, not the handler's method. */
    @BuildStep
    AnnotationsTransformerBuildItem handlersLeaveTheirChannels(BatchedHandlersBuildItem batched) {
        Set<MethodInfo> methods = Set.copyOf(batched.handlers().stream().map(BatchedHandler::method).toList());
        return new AnnotationsTransformerBuildItem(AnnotationTransformation.forMethods()
                .when(context -> methods.contains(context.declaration()))
                .transform(context -> context.remove(annotation -> annotation.name().equals(KeyedStateDiscovery.INCOMING)
                        || annotation.name().equals(KeyedStateDiscovery.INCOMINGS))));
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
     * {@link RecordHandler} that calls the handler's method directly.
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

                MethodCreator constructor = creator.getMethodCreator("<init>", "V", bean.name().toString(),
                        KeyedBatches.class.getName());
                constructor.addAnnotation(Inject.class);
                constructor.invokeSpecialMethod(MethodDescriptor.ofConstructor(Object.class), constructor.getThis());
                constructor.writeInstanceField(target, constructor.getThis(), constructor.getMethodParam(0));
                constructor.writeInstanceField(batches, constructor.getThis(), constructor.getMethodParam(1));
                constructor.returnVoid();

                MethodCreator handle = creator.getMethodCreator("handle", void.class, Object.class);
                ResultHandle argument = handle.checkCast(handle.getMethodParam(0), method.parameterType(0).name().toString());
                handle.invokeVirtualMethod(MethodDescriptor.of(method), handle.readInstanceField(target, handle.getThis()),
                        argument);
                handle.returnVoid();

                MethodCreator consume = creator.getMethodCreator("consume", CompletionStage.class, KafkaRecordBatch.class);
                consume.addAnnotation(Incoming.class).addValue("value", handler.channel());
                if (handler.blocking()) {
                    var blocking = consume.addAnnotation(io.smallrye.reactive.messaging.annotations.Blocking.class);
                    if (handler.blockingPool() != null) {
                        blocking.addValue("value", handler.blockingPool());
                    }
                } else {
                    consume.addAnnotation(io.smallrye.common.annotation.NonBlocking.class);
                }
                consume.returnValue(consume.invokeVirtualMethod(
                        MethodDescriptor.ofMethod(KeyedBatches.class, "process", CompletionStage.class, String.class,
                                KafkaRecordBatch.class, RecordHandler.class, int.class),
                        consume.readInstanceField(batches, consume.getThis()), consume.load(handler.channel()),
                        consume.getMethodParam(0), consume.getThis(), consume.load(handler.argument())));
            }
        }
    }
}
