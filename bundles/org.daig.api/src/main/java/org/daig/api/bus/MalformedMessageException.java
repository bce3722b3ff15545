package org.daig.api.bus;

/** A payload that cannot be what its topic carries. The message is logged and dropped. */
public class MalformedMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
