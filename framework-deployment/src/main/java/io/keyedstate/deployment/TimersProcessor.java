package io.keyedstate.deployment;

import java.util.List;

import org.jboss.jandex.DotName;
import org.jboss.jandex.MethodInfo;

import io.keyedstate.runtime.KeyedStateRecorder;
import io.keyedstate.runtime.OnTimerMethods;
import io.keyedstate.runtime.TimerOutputDecorator;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.InvokerFactoryBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem.ValidationErrorBuildItem;
import io.quarkus.arc.processor.BeanInfo;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.recording.RecorderContext;

/** Calls {@code @OnTimer} methods through invokers generated here, and sends what they return. */
class TimersProcessor {

    /**
     * An invoker per method: a direct call, in JVM and native mode alike, with no reflection. The
     * factory only works until the validation phase ends, which producing its errors keeps it from.
     */
    @BuildStep
    void onTimerInvokers(KeyedStatesBuildItem states, ValidationPhaseBuildItem validation, InvokerFactoryBuildItem factory,
            BuildProducer<OnTimerInvokerBuildItem> invokers, BuildProducer<ValidationErrorBuildItem> errors) {
        for (OnTimerMethod onTimer : states.onTimerMethods()) {
            BeanInfo bean = validation.getContext().beans().classBeans()
                    .withBeanClass(DotName.createSimple(onTimer.beanClass())).firstResult().orElse(null);
            if (bean == null) {
                errors.produce(new ValidationErrorBuildItem(new jakarta.enterprise.inject.spi.DeploymentException(
                        onTimer.beanClass() + " has an @OnTimer method but is not a bean: annotate it @ApplicationScoped")));
                continue;
            }
            MethodInfo method = bean.getImplClazz().methods().stream()
                    .filter(candidate -> candidate.name().equals(onTimer.method())
                            && candidate.hasDeclaredAnnotation(KeyedStateDiscovery.ON_TIMER))
                    .findFirst().orElseThrow();
            invokers.produce(new OnTimerInvokerBuildItem(onTimer,
                    factory.createInvoker(bean, method).withInstanceLookup().build().getClassName()));
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void registerOnTimerMethods(List<OnTimerInvokerBuildItem> invokers, KeyedStateRecorder recorder,
            RecorderContext context) {
        if (invokers.isEmpty()) {
            return;
        }
        for (OnTimerInvokerBuildItem invoker : invokers) {
            OnTimerMethod method = invoker.method();
            recorder.onTimerMethod(method.timersState(), context.newInstance(invoker.invokerClass()), method.takesTimer(),
                    method.outgoing());
        }
    }

    /** The registry the recorder fills with the {@code @OnTimer} methods at start-up. */
    @BuildStep
    void onTimerMethodsBean(KeyedStatesBuildItem states, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (!states.onTimerMethods().isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(OnTimerMethods.class));
        }
    }

    /** Only for timers that return what they send. */
    @BuildStep
    void timerOutputs(KeyedStatesBuildItem states, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (states.onTimerMethods().stream().anyMatch(method -> method.outgoing() != null)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(TimerOutputDecorator.class));
        }
    }
}
