package org.daig.requestor;

import java.net.URI;

/**
 * The coordinator answered 401: no token was sent, or it is unknown, expired or revoked (the
 * coordinator does not say which, on purpose). A command line asks the user to log in again; the
 * workbench opens its login dialog.
 */
public class NotAuthenticatedException extends RequestorException {

    private static final long serialVersionUID = 1L;

    private final URI coordinator;
    private final boolean tokenSent;

    NotAuthenticatedException(URI coordinator, boolean tokenSent, String error) {
        super((tokenSent ? "not logged in to " + coordinator + " (or the session expired)" : "not logged in to " + coordinator)
                + ": the coordinator answered 401 (" + error + ")", 401, false, null);
        this.coordinator = coordinator;
        this.tokenSent = tokenSent;
    }

    /** A refused login: the coordinator's own words (one message for a wrong user or password). */
    NotAuthenticatedException(URI coordinator, String message) {
        super(message, 401, false, null);
        this.coordinator = coordinator;
        this.tokenSent = false;
    }

    /** The coordinator that refused. */
    public URI coordinator() {
        return coordinator;
    }

    /** Whether a token was sent (then it has expired or was revoked), or none at all. */
    public boolean tokenSent() {
        return tokenSent;
    }
}
