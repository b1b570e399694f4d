package io.keyedstate.state;

import io.keyedstate.scope.KeyScope;
import io.keyedstate.scope.KeyScopes;

/** What every backend's handles share: finding the current key scope, or saying how to get one. */
public abstract class StateHandle {

    protected final StateDescriptor descriptor;

    protected StateHandle(StateDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    protected final KeyScope scope() {
        KeyScope scope = KeyScopes.current();
        if (scope == null) {
            throw new IllegalStateException(descriptor.displayName() + " was used outside of a keyed scope. Keyed state"
                    + " belongs to the key of the Kafka record being handled: use it inside an @Incoming method of a"
                    + " Kafka channel or an @OnTimer method (not from another thread, a scheduler or a REST call), or, in a batch handler, inside"
                    + " io.keyedstate.KeyedScope.run(record, ...).");
        }
        return scope;
    }

    @Override
    public String toString() {
        return descriptor.displayName();
    }
}
