package io.keyedstate.checkpoint;

import java.util.regex.Pattern;

/**
 * The names that checkpoint paths are built from, checked before they are used: a name read from
 * storage or given by a caller must never lead outside the folder it is meant for.
 */
public final class StorageNames {

    /** The longest file name most file systems accept. */
    static final int MAX_FILE_NAME = 255;
    /** The longest savepoint name. */
    public static final int MAX_SAVEPOINT_NAME = 128;

    /** What {@link #isSavepointName} accepts, for messages. */
    public static final String SAVEPOINT_NAME_RULE = "a savepoint name holds 1 to " + MAX_SAVEPOINT_NAME
            + " letters, digits, '.', '_' and '-', and does not start with '.'";

    private static final Pattern SAVEPOINT_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private StorageNames() {
    }

    /**
     * Whether {@code name} names a file directly in a folder: not empty, at most
     * {@value #MAX_FILE_NAME} characters, neither {@code .} nor {@code ..}, and without a path
     * separator, drive colon or control character.
     */
    static boolean isPlainFileName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_FILE_NAME || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == ':' || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} may name a savepoint; see {@link #requireSavepointName}. */
    public static boolean isSavepointName(String name) {
        return name != null && name.length() <= MAX_SAVEPOINT_NAME && SAVEPOINT_NAME.matcher(name).matches()
                && !name.startsWith(".");
    }

    /**
     * {@code name}, if it may name a savepoint: letters, digits, '.', '_' and '-', at most
     * {@value #MAX_SAVEPOINT_NAME} characters, not starting with '.' (so never {@code .} or
     * {@code ..}, nor a hidden or temporary file's name).
     *
     * @throws IllegalArgumentException if it may not
     */
    public static String requireSavepointName(String name) {
        if (!isSavepointName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a savepoint name: " + SAVEPOINT_NAME_RULE);
        }
        return name;
    }
}
