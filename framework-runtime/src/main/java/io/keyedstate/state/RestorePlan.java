package io.keyedstate.state;

import java.util.Map;

/**
 * What a backend must do, beyond reading its files, to restore a checkpoint whose states were
 * stored otherwise than the application declares them now. Decided by comparing the checkpoint's
 * manifest with the declarations before any file is read.
 *
 * @param converted by {@link StateDescriptor#qualifiedName()}, declared states stored in another
 *        form (a codec version, a ttl gained or lost): their values are converted to the declared form
 * @param dropped by the same name, stored states the application no longer declares, whose entries
 *        are discarded
 */
public record RestorePlan(Map<String, StoredForm> converted, Map<String, StoredForm> dropped) {

    /** Every stored state is declared, as it was stored. */
    public static final RestorePlan NONE = new RestorePlan(Map.of(), Map.of());

    public RestorePlan {
        converted = Map.copyOf(converted);
        dropped = Map.copyOf(dropped);
    }

    /** How {@code state} was stored, or null if as it is declared. */
    public StoredForm storedForm(StateDescriptor state) {
        return converted.get(state.qualifiedName());
    }

    /** Whether the restored state differs from what the checkpoint's files hold. */
    public boolean changesState() {
        return !converted.isEmpty() || !dropped.isEmpty();
    }
}
