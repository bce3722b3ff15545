package org.daig.trainer.worker;

/** The worker answered with an error (a problem with the request or its input); it is still running. */
public class WorkerException extends Exception {

    private static final long serialVersionUID = 1L;

    public WorkerException(String message) {
        super(message);
    }

    public WorkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
