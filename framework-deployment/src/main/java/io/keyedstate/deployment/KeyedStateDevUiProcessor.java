package io.keyedstate.deployment;

import io.keyedstate.runtime.devui.KeyedStateDevUiService;
import io.quarkus.deployment.IsDevelopment;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/**
 * The extension's Dev UI card: a page of the shards this instance owns (state size, keys, pending
 * timers, newest checkpoint and its age), the checkpoints in storage, and a savepoint action,
 * answered by {@link KeyedStateDevUiService} over the Dev UI's JSON-RPC. Dev mode only.
 */
class KeyedStateDevUiProcessor {

    @BuildStep(onlyIf = IsDevelopment.class)
    void card(KeyedStatesBuildItem states, BuildProducer<CardPageBuildItem> cards) {
        if (states.isEmpty()) {
            return;
        }
        CardPageBuildItem card = new CardPageBuildItem();
        card.addPage(Page.webComponentPageBuilder()
                .title("Shards and checkpoints")
                .icon("font-awesome-solid:database")
                .componentLink("qwc-keyed-state.js")
                .dynamicLabelJsonRPCMethodName("getShardCount"));
        cards.produce(card);
    }

    /** Without the discovery's result: the Dev UI indexes the service, which the discovery reads the index after. */
    @BuildStep(onlyIf = IsDevelopment.class)
    JsonRPCProvidersBuildItem jsonRpcService() {
        return new JsonRPCProvidersBuildItem(KeyedStateDevUiService.class);
    }
}
