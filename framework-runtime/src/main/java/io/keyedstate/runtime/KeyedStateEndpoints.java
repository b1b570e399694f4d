package io.keyedstate.runtime;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keyedstate.CheckpointInfo;
import io.keyedstate.KeyedStateCheckpoints;
import io.keyedstate.SavepointExistsException;
import io.quarkus.arc.Arc;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * The management endpoints: {@code GET .../keyed-state/checkpoints} lists checkpoints and
 * savepoints; {@code POST .../keyed-state/savepoints/<name>}, when configured (404 otherwise),
 * takes a savepoint of the partitions this instance owns and answers once it is durable: 400 for
 * an invalid name, 409 for a name that a savepoint of one of these partitions already has. Both
 * answer with metadata (see {@link CheckpointInfo}), never state. Both block, so they run on
 * worker threads.
 */
public final class KeyedStateEndpoints {

    private static final long SAVEPOINT_TIMEOUT_MINUTES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyedStateEndpoints() {
    }

    static Handler<RoutingContext> list() {
        return context -> respond(context, () -> {
            ObjectNode listed = JSON.createObjectNode();
            for (Map.Entry<String, List<CheckpointInfo>> entry : checkpoints().list().entrySet()) {
                write(listed.putArray(entry.getKey()), entry.getValue());
            }
            return listed;
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
                    List<CheckpointInfo> written = checkpoints().savepoint(name).toCompletableFuture()
                            .get(SAVEPOINT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
                    return write(JSON.createArrayNode(), written);
                } catch (IllegalArgumentException | SavepointExistsException e) {
                    throw e;
                } catch (Exception e) {
                    SavepointExistsException exists = existsCause(e);
                    if (exists != null) {
                        throw exists;
                    }
                    throw new IOException("Savepoint '" + name + "' failed: " + e.getMessage(), e);
                }
            });
        };
    }

    /** In place of {@link #savepoint()} when it is off: 404, for every method, saying how to turn it on. */
    static Handler<RoutingContext> savepointDisabled() {
        return context -> context.response().setStatusCode(404).end("The savepoint endpoint is off: it is turned on at"
                + " build time by quarkus.keyed-state.savepoint-endpoint.enabled=true");
    }

    private static SavepointExistsException existsCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SavepointExistsException exists) {
                return exists;
            }
        }
        return null;
    }

    private interface Body {
        Object get() throws IOException;
    }

    private static void respond(RoutingContext context, Body body) {
        try {
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body.get());
            context.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(json));
        } catch (IllegalArgumentException e) {
            context.response().setStatusCode(400).end(e.getMessage());
        } catch (SavepointExistsException e) {
            context.response().setStatusCode(409).end(e.getMessage());
        } catch (IOException | RuntimeException e) {
            context.response().setStatusCode(500).end(e.getMessage());
        }
    }

    private static ArrayNode write(ArrayNode array, List<CheckpointInfo> infos) {
        for (CheckpointInfo info : infos) {
            ObjectNode node = array.addObject().put("id", info.id()).put("n", info.n()).put("savepoint", info.savepoint());
            if (info.origin() != null) {
                node.put("origin", info.origin());
            }
            node.put("backend", info.backend()).put("createdAt", info.createdAt().toString());
            ObjectNode offsets = node.putObject("offsets");
            info.offsets().forEach(offsets::put);
            node.put("fileCount", info.fileCount()).put("totalBytes", info.totalBytes()).put("uploadedBytes",
                    info.uploadedBytes());
        }
        return array;
    }

    private static KeyedStateCheckpoints checkpoints() {
        return Arc.container().instance(KeyedStateCheckpoints.class).get();
    }
}
