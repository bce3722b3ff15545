package org.daig.api.trainer;

import java.util.Map;

/**
 * A worker that answers every call through {@link #answer}, for tests of code that talks to a
 * worker: the worker JVM itself is not what they test. Process control does nothing.
 */
public class StubWorker implements Worker {

    /** How a stub answers one call. */
    public interface Answer {
        WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException;
    }

    private final Answer answer;

    public StubWorker(Answer answer) {
        this.answer = answer;
    }

    @Override
    public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException {
        return answer.call(op, fields, payload);
    }

    @Override
    public long pid() {
        return 7;
    }

    @Override
    public boolean isAlive() {
        return true;
    }

    @Override
    public void suspend() {
    }

    @Override
    public void resume() {
    }

    @Override
    public void kill() {
    }

    @Override
    public void close() {
    }
}
