package org.daig.coordinator.service;

import java.io.IOException;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer worker started on first use, kept warm, and replaced after it dies. Work is
 * serialized, whole pieces at a time.
 */
final class TrainerSession implements CoordinatorTrainer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerSession.class);

    private final WorkerLauncher launcher;
    private volatile WorkerLimits limits;
    private Worker worker;

    TrainerSession(WorkerLauncher launcher, WorkerLimits limits) {
        this.launcher = launcher;
        this.limits = limits;
    }

    /** Limits for the next worker this session starts (the running one keeps its own). */
    void limits(WorkerLimits next) {
        limits = next;
    }

    @Override
    public synchronized <T> T use(Work<T> work) throws WorkerException, IOException {
        if (worker == null || !worker.isAlive()) {
            try {
                worker = launcher.startConfined(limits);
            } catch (IOException e) {
                throw new WorkerException("cannot start the trainer worker: " + e.getMessage());
            }
        }
        try {
            return work.run(new TrainerClient(worker));
        } catch (WorkerDiedException e) {
            LOG.warn("The coordinator's trainer worker died: {}", e.getMessage());
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
