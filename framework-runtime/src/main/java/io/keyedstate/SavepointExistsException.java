package io.keyedstate;

import java.util.List;

/**
 * A savepoint name that storage already holds a savepoint of for a partition this instance owns.
 * A savepoint is never overwritten: choose another name, or delete the old savepoint first.
 */
public class SavepointExistsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<String> partitions;

    /**
     * @param name the savepoint's name
     * @param partitions the partitions' folders ({@code <topic>-<partition>}) that it exists for
     * @param location where it is stored, for the message
     */
    public SavepointExistsException(String name, List<String> partitions, String location) {
        super("Savepoint '" + name + "' exists for " + String.join(", ", partitions) + " in " + location
                + ": a savepoint is never overwritten; choose another name, or delete it first");
        this.name = name;
        this.partitions = List.copyOf(partitions);
    }

    public String name() {
        return name;
    }

    public List<String> partitions() {
        return partitions;
    }
}
