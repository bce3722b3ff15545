package org.daig.trainer;

/**
 * A problem the user can fix: the message names the file or field and says how. Commands print
 * the message alone (no stack trace) and exit with a non-zero status.
 */
public class TrainerException extends Exception {

    private static final long serialVersionUID = 1L;

    public TrainerException(String message) {
        super(message);
    }

    public TrainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
