package io.keyedstate.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.checkpoint.CheckpointManifest;
import io.quarkus.arc.Arc;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The management endpoints: {@code GET .../keyed-state/checkpoints} lists checkpoints and
 * savepoints; {@code POST .../keyed-state/savepoints/<name>} takes a savepoint of the partitions
 * this instance owns and answers with its manifests once they are durable. Both block, so they run
 * on worker threads.
 */
public final class KeyedStateEndpoints {

    private static final long SAVEPOINT_TIMEOUT_MINUTES = 10;

    private KeyedStateEndpoints() {
    }

    static Handler<RoutingContext> list() {
        return context -> respond(context, () -> {
            Map<String, List<CheckpointManifest>> listed = checkpoints().list();
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            json.write('{');
            boolean first = true;
            for (Map.Entry<String, List<CheckpointManifest>> entry : listed.entrySet()) {
                json.write(((first ? "\n\"" : ",\n\"") + entry.getKey() + "\": ").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                writeArray(json, entry.getValue());
                first = false;
            }
            json.write("\n}".getBytes());
            return json.toByteArray();
        });
    }

    static Handler<RoutingContext> savepoint() {
        return context -> {
            if (!"POST".equals(context.request().method().name())) {
                context.response().setStatusCode(405).putHeader("Allow", "POST").end();
                return;
            }
            String name = context.pathParam("name");
            respond(context, () -> {
                try {
                    List<CheckpointManifest> manifests = checkpoints().savepoint(name).toCompletableFuture()
                            .get(SAVEPOINT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
                    ByteArrayOutputStream json = new ByteArrayOutputStream();
                    writeArray(json, manifests);
                    return json.toByteArray();
                } catch (IllegalArgumentException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException("Savepoint '" + name + "' failed: " + e.getMessage(), e);
                }
            });
        };
    }

    private interface Body {
        byte[] get() throws IOException;
    }

    private static void respond(RoutingContext context, Body body) {
        try {
            byte[] json = body.get();
            context.response().putHeader("Content-Type", "application/json").end(io.vertx.core.buffer.Buffer.buffer(json));
        } catch (IllegalArgumentException e) {
            context.response().setStatusCode(400).end(e.getMessage());
        } catch (IOException | RuntimeException e) {
            context.response().setStatusCode(500).end(e.getMessage());
        }
    }

    private static void writeArray(ByteArrayOutputStream json, List<CheckpointManifest> manifests) throws IOException {
        json.write('[');
        for (int i = 0; i < manifests.size(); i++) {
            if (i > 0) {
                json.write(',');
            }
            json.write(manifests.get(i).toJson());
        }
        json.write(']');
    }

    private static KeyedStateCheckpoints checkpoints() {
        return Arc.container().instance(KeyedStateCheckpoints.class).get();
    }
}
