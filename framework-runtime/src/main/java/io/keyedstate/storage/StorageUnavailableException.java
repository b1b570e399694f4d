package io.keyedstate.storage;

import java.io.IOException;

/**
 * Storage did not answer, or answered with a transient error (a timeout, a server error,
 * throttling), as often as it was tried: an outage, not a refusal or a missing file.
 */
public class StorageUnavailableException extends IOException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
