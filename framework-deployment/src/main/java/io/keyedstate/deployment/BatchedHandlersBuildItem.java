package io.keyedstate.deployment;

import java.util.List;

import io.quarkus.builder.item.SimpleBuildItem;

/** The keyed handlers that run batched. */
public final class BatchedHandlersBuildItem extends SimpleBuildItem {

    private final List<BatchedHandler> handlers;

    BatchedHandlersBuildItem(List<BatchedHandler> handlers) {
        this.handlers = List.copyOf(handlers);
    }

    List<BatchedHandler> handlers() {
        return handlers;
    }
}
