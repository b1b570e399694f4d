package io.keyedstate.state;

/** What every backend's handles share: finding the current key scope, or saying how to get one. */
public abstract class StateHandle {

    protected final StateDescriptor descriptor;

    protected StateHandle(StateDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    protected final ShardKey scope() {
        ShardKey scope = CurrentShardKey.current();
        if (scope == null) {
            throw new IllegalStateException(descriptor.displayName() + " was used outside of a keyed scope. Keyed state"
                    + " belongs to the key of the Kafka record being handled: use it inside an @Incoming method of a"
                    + " Kafka channel or an @OnTimer method (not from another thread, a scheduler or a REST call), or, in a batch handler, inside"
                    + " io.keyedstate.KeyedScope.run(record, ...).");
        }
        return scope;
    }

    /** The element, which the {@code ListState} contract says is never null: the same rule and message on every backend. */
    protected static <T> T requireElement(T element) {
        return java.util.Objects.requireNonNull(element, "ListState elements cannot be null");
    }

    @Override
    public String toString() {
        return descriptor.displayName();
    }
}
