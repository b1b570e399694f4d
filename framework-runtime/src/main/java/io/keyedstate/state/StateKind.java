package io.keyedstate.state;

/** The shape of a keyed state, named after its API type. */
public enum StateKind {
    VALUE("ValueState"),
    MAP("MapState"),
    LIST("ListState"),
    /** Not state a handler reads, but stored and checkpointed like it: the key's timers. */
    TIMERS("Timers");

    private final String apiType;

    StateKind(String apiType) {
        this.apiType = apiType;
    }

    public String apiType() {
        return apiType;
    }
}
