package org.daig.cli;

/** A problem with the input or the surroundings (not with the command line): one message, exit status 1. */
final class CliFailure extends Exception {

    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message);
    }
}
