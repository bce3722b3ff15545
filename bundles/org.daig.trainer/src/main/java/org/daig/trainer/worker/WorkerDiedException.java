package org.daig.trainer.worker;

/**
 * The worker JVM ended while a request was in flight: killed, out of memory, or a native crash.
 * The task fails with this reason; the caller starts a new worker for the next one.
 */
public class WorkerDiedException extends WorkerException {

    private static final long serialVersionUID = 1L;

    public WorkerDiedException(String message) {
        super(message);
    }
}
