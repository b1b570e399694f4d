package io.keyedstate.backend.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.keyedstate.ListState;
import io.keyedstate.backend.heap.StoredValues.Appended;
import io.keyedstate.state.ShardKey;
import io.keyedstate.state.StateDescriptor;

/** A list per record key, appended to without copying what it holds. */
final class HeapListState<T> extends HeapStateHandle implements ListState<T> {

    HeapListState(StateDescriptor descriptor, LongSupplier clock) {
        super(descriptor, clock);
    }

    @Override
    public void add(T element) {
        addAll(List.of(requireElement(element)));
    }

    @Override
    public void addAll(List<? extends T> elements) {
        if (elements.isEmpty()) {
            return;
        }
        List<Object> stored = wrapAll(elements);
        ShardKey scope = scope();
        shard(scope).update(id, scope.key(), current -> {
            Appended list = (Appended) current;
            for (Object element : stored) {
                list = Appended.append(list, element);
            }
            return list;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterable<T> get() {
        Appended list = (Appended) stored();
        if (list == null) {
            return List.of();
        }
        long now = now();
        List<T> live = new ArrayList<>(list.size());
        for (Object element : list.toList()) {
            Object value = StoredValues.unwrap(element, now);
            if (value != null) {
                live.add((T) value);
            }
        }
        return live;
    }

    @Override
    public void update(List<? extends T> elements) {
        Appended replacement = Appended.of(wrapAll(elements));
        ShardKey scope = scope();
        shard(scope).put(id, scope.key(), replacement);
    }

    private List<Object> wrapAll(List<? extends T> elements) {
        long now = now();
        List<Object> stored = new ArrayList<>(elements.size());
        for (T element : elements) {
            stored.add(StoredValues.wrap(requireElement(element), ttlMillis, now));
        }
        return stored;
    }
}
