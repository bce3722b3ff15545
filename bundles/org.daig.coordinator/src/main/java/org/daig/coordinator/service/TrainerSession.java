package org.daig.coordinator.service;

import java.util.Map;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's own trainer worker (validation, initial weights, evaluation, export): started
 * on first use, kept warm, replaced after it dies. Calls are serialized.
 */
final class TrainerSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerSession.class);
    private static final float[] NONE = new float[0];

    private final WorkerLauncher launcher;
    private final WorkerLimits limits;
    private Worker worker;

    TrainerSession(WorkerLauncher launcher, WorkerLimits limits) {
        this.launcher = launcher;
        this.limits = limits;
    }

    synchronized WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException {
        if (worker == null || !worker.isAlive()) {
            try {
                worker = launcher.start(limits);
            } catch (java.io.IOException e) {
                throw new WorkerException("cannot start the trainer worker: " + e.getMessage());
            }
        }
        try {
            return worker.call(op, fields, payload == null ? NONE : payload);
        } catch (WorkerDiedException e) {
            LOG.warn("The coordinator's trainer worker died during '{}': {}", op, e.getMessage());
            worker = null;
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }
}
