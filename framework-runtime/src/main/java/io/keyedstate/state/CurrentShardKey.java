package io.keyedstate.state;

import java.util.function.Supplier;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Where the shard and key of the record being handled live. A Kafka record's are put in its own
 * duplicated Vert.x context, which SmallRye Reactive Messaging makes current wherever it runs the
 * handler: on the event loop, on a worker thread, or on a virtual thread. A thread local would not follow a
 * blocking handler to its worker thread, and would leak between records processed concurrently.
 * Outside any Vert.x context (plain threads, unit tests), explicit scopes fall back to the thread.
 */
public final class CurrentShardKey {

    static final String CONTEXT_KEY = ShardKey.class.getName();
    private static final ThreadLocal<ShardKey> OUTSIDE_VERTX = new ThreadLocal<>();

    private CurrentShardKey() {
    }

    /** Binds {@code scope} to a record's context, for the whole processing of that record. */
    public static void bind(Context recordContext, ShardKey scope) {
        recordContext.putLocal(CONTEXT_KEY, scope);
    }

    /** The current scope, or null. */
    public static ShardKey current() {
        Context context = recordContext();
        if (context != null) {
            ShardKey scope = context.getLocal(CONTEXT_KEY);
            if (scope != null) {
                return scope;
            }
        }
        return OUTSIDE_VERTX.get();
    }

    /** The current duplicated context: a root context is shared by every record, so never holds a scope. */
    private static Context recordContext() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context) ? context : null;
    }

    /** Runs {@code action} with {@code scope} current, restoring the previous scope afterwards. */
    public static <R> R callWithin(ShardKey scope, Supplier<R> action) {
        Context context = recordContext();
        if (context != null) {
            ShardKey previous = context.getLocal(CONTEXT_KEY);
            context.putLocal(CONTEXT_KEY, scope);
            try {
                return action.get();
            } finally {
                if (previous == null) {
                    context.removeLocal(CONTEXT_KEY);
                } else {
                    context.putLocal(CONTEXT_KEY, previous);
                }
            }
        }
        ShardKey previous = OUTSIDE_VERTX.get();
        OUTSIDE_VERTX.set(scope);
        try {
            return action.get();
        } finally {
            if (previous == null) {
                OUTSIDE_VERTX.remove();
            } else {
                OUTSIDE_VERTX.set(previous);
            }
        }
    }
}
