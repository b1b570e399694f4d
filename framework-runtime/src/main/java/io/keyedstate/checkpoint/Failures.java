package io.keyedstate.checkpoint;

/** How failures are told in logs and health: the message and, if deeper, the root cause's. */
final class Failures {

    private Failures() {
    }

    static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == failure ? String.valueOf(failure.getMessage())
                : failure.getMessage() + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
}
