package io.keyedstate.deployment;

import io.quarkus.builder.item.MultiBuildItem;

/** The invoker generated for an {@code @OnTimer} method. */
public final class OnTimerInvokerBuildItem extends MultiBuildItem {

    private final OnTimerMethod method;
    private final String invokerClass;

    OnTimerInvokerBuildItem(OnTimerMethod method, String invokerClass) {
        this.method = method;
        this.invokerClass = invokerClass;
    }

    public OnTimerMethod method() {
        return method;
    }

    public String invokerClass() {
        return invokerClass;
    }
}
