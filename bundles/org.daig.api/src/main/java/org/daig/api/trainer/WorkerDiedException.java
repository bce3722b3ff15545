package org.daig.api.trainer;

/** The worker ended during a call: killed, out of memory, or crashed. The message says which. */
public class WorkerDiedException extends WorkerException {

    private static final long serialVersionUID = 1L;

    public WorkerDiedException(String message) {
        super(message);
    }
}
