package org.daig.api.blob;

import java.io.IOException;

/**
 * A blob operation refused for a reason the sender can act on; the message says which and how.
 * The store is unchanged by a refused operation, except that a hash mismatch discards the upload.
 */
public class BlobException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that react differently (e.g. the HTTP status). */
    public enum Reason {
        /** No such blob (or upload). */
        NOT_FOUND,
        /** The id is not a lower-case hex SHA-256. */
        BAD_ID,
        /** A chunk does not start where the upload stands. */
        WRONG_OFFSET,
        /** All bytes arrived but their SHA-256 is not the promised id; the upload was discarded. */
        HASH_MISMATCH,
        /** Bigger than the store accepts. */
        TOO_LARGE,
        /** Not enough free disk space; nothing was kept that could be corrupt. */
        DISK_FULL
    }

    private final Reason reason;

    public BlobException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
