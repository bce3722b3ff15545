package org.daig.api.trainer;

import java.io.IOException;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** One running worker JVM. Calls are answered one at a time. */
@ProviderType
public interface Worker extends AutoCloseable {

    long pid();

    boolean isAlive();

    /**
     * Sends one operation and waits for its answer.
     *
     * @param op      the operation (docs/worker-protocol.md)
     * @param fields  its fields: strings, numbers, booleans
     * @param payload parameters or a delta, or an empty array
     * @throws WorkerException with the worker's message when it refuses the request (it keeps
     *         running), or {@link WorkerDiedException} when the worker ended during the call
     */
    WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException;

    /** Stops all the worker's threads at once, keeping its memory (SIGSTOP). */
    void suspend() throws IOException;

    /** Lets a suspended worker continue (SIGCONT). */
    void resume() throws IOException;

    /** Ends the worker at once; a call in flight fails with {@link WorkerDiedException}. */
    void kill();

    /** Asks the worker to finish, then makes sure it is gone. */
    @Override
    void close();
}
