package org.daig.monitor.idle;

/** Why an idle-time source gave no reading, in words for the log and the notes (never a stack trace). */
final class SourceFailure extends Exception {

    private static final long serialVersionUID = 1L;
    private final boolean absent;
    private final String errorName;

    /** @param absent whether the service is simply not there (not this desktop), rather than broken */
    SourceFailure(String message, boolean absent) {
        this(message, absent, null);
    }

    /** @param errorName the D-Bus error the service replied with ("org.freedesktop.DBus.Error.UnknownObject") */
    SourceFailure(String message, boolean absent, String errorName) {
        super(message, null, false, false);
        this.absent = absent;
        this.errorName = errorName;
    }

    boolean absent() {
        return absent;
    }

    /** The D-Bus error name of the reply, or null when the failure was not an error reply. */
    String errorName() {
        return errorName;
    }
}
