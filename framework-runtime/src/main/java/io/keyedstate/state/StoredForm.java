package io.keyedstate.state;

/**
 * How a checkpoint stored a state, where that differs from how the application declares it now:
 * what a backend converts at restore.
 *
 * @param kind the state's kind; null if the checkpoint does not record it (then it is the declared one)
 * @param hasTtl whether every stored value carries an expiry
 * @param valueVersion the version of the value codec the values were written with; 0 for timers
 * @param mapKeyVersion the version of the map-key codec the keys were written with; 0 for other kinds
 */
public record StoredForm(StateKind kind, boolean hasTtl, int valueVersion, int mapKeyVersion) {
}
