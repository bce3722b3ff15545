package org.daig.requestor;

/**
 * Something the requestor could not do, with a message worded for a person: the coordinator could
 * not be reached, it answered with an error (its own words are in the message), or its answer
 * made no sense to this client.
 */
public class RequestorException extends Exception {

    private static final long serialVersionUID = 1L;

    /** No HTTP status: the failure happened before or without an answer. */
    public static final int NO_ANSWER = 0;

    private final int status;
    private final boolean unreachable;

    public RequestorException(String message) {
        this(message, NO_ANSWER, false, null);
    }

    public RequestorException(String message, Throwable cause) {
        this(message, NO_ANSWER, false, cause);
    }

    RequestorException(String message, int status, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.unreachable = unreachable;
    }

    /** The coordinator's HTTP status when it answered with an error, else {@link #NO_ANSWER}. */
    public int status() {
        return status;
    }

    /** Whether no connection to the coordinator could be made at all (wrong address, not running). */
    public boolean unreachable() {
        return unreachable;
    }
}
