package org.daig.api.trainer;

/** The worker refused a request; its message is worded for a person. The worker keeps running. */
public class WorkerException extends Exception {

    private static final long serialVersionUID = 1L;

    public WorkerException(String message) {
        super(message);
    }
}
