package org.daig.cli;

/** A problem with the input or the surroundings (not with the command line): one message, and its exit status (1 unless said). */
final class CliFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    CliFailure(String message) {
        this(message, Daig.FAILED);
    }

    CliFailure(String message, int status) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
