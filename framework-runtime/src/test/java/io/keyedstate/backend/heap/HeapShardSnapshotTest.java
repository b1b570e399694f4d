package io.keyedstate.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.keyedstate.ValueState;
import io.keyedstate.scope.KeyScope;
import io.keyedstate.scope.KeyScopes;
import io.keyedstate.state.StateDescriptor;
import io.keyedstate.state.StateKind;

class HeapShardSnapshotTest {

    static final StateDescriptor COUNT = new StateDescriptor(0, "app.Counter", "count", "count", StateKind.VALUE, 0, "java.lang.Long", "");

    @Test
    void aSnapshotKeepsTheStateOfItsInstantWhileWritesGoOn() {
        HeapStateBackend backend = new HeapStateBackend(List.of(COUNT), System::currentTimeMillis);
        @SuppressWarnings("unchecked")
        ValueState<Long> count = (ValueState<Long>) backend.handle(COUNT);
        HeapShard shard = backend.shard(0);
        for (long i = 0; i < 10_000; i++) {
            long value = i;
            KeyScopes.callWithin(new KeyScope(shard, "key-" + i), () -> {
                count.set(value);
                return null;
            });
        }

        HeapSnapshot snapshot = shard.snapshot();
        for (long i = 0; i < 10_000; i++) {
            KeyScopes.callWithin(new KeyScope(shard, "key-" + i), () -> {
                count.set(count.get() + 1_000_000);
                return null;
            });
        }
        KeyScopes.callWithin(new KeyScope(shard, "new-key"), () -> {
            count.set(-1L);
            return null;
        });

        assertThat(snapshot.shardId()).isZero();
        assertThat(snapshot.tables()[0].size()).isEqualTo(10_000);
        assertThat(snapshot.tables()[0].get("key-42")).isEqualTo(42L);
        assertThat(snapshot.tables()[0].containsKey("new-key")).isFalse();
        assertThat(shard.table(0).get("key-42")).isEqualTo(1_000_042L);
    }
}
