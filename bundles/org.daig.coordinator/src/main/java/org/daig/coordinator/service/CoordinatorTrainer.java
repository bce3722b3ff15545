package org.daig.coordinator.service;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.WorkerException;

/**
 * The coordinator's own trainer worker (checks, shards, initial weights, evaluation, export).
 * One piece of work at a time: a sequence such as load, set, export must not interleave with
 * another caller's load.
 */
public interface CoordinatorTrainer {

    /** Work on the worker, given as typed calls. */
    interface Work<T> {
        T run(TrainerClient trainer) throws WorkerException, java.io.IOException;
    }

    /** Runs {@code work} with the worker to itself, starting the worker first if it is not running. */
    <T> T use(Work<T> work) throws WorkerException, java.io.IOException;
}
