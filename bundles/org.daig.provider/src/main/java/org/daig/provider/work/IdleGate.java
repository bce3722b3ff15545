package org.daig.provider.work;

import java.io.IOException;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.IdleListener;
import org.daig.api.trainer.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the worker follow the decision while a task is in hand: suspended (SIGSTOP) the moment
 * the machine turns busy or the volunteer snoozes, resumed when it may run again. Suspending
 * rather than giving the task back keeps the work done so far; the work loop gives the task back
 * if it stays suspended past its deadline.
 */
final class IdleGate implements IdleListener {

    private static final Logger LOG = LoggerFactory.getLogger(IdleGate.class);

    private final ParticipationState state;
    private final WarmWorker worker;
    /** Wakes the work loop, which may be waiting for the machine to become idle. */
    private final Runnable changed;
    private boolean taskInHand; // guarded by this
    private volatile boolean suspended;

    IdleGate(ParticipationState state, WarmWorker worker, Runnable changed) {
        this.state = state;
        this.worker = worker;
        this.changed = changed;
    }

    @Override
    public void decisionChanged(IdleDecision policy) {
        state.policyChanged(policy);
        follow();
    }

    /** Suspends or resumes the worker to match the current decision (after a policy change or a snooze). */
    void follow() {
        IdleDecision decision = state.decision();
        synchronized (this) {
            Worker w = worker.current();
            if (w != null && taskInHand && decision != null) {
                try {
                    if (!decision.mayRun() && !suspended) {
                        w.suspend();
                        suspended = true;
                        LOG.info("Training suspended: {}", decision.reason());
                    } else if (decision.mayRun() && suspended) {
                        w.resume();
                        suspended = false;
                        LOG.info("Training resumed: {}", decision.reason());
                    }
                } catch (IOException e) {
                    LOG.warn("Could not {} the worker: {}", decision.mayRun() ? "resume" : "suspend", e.getMessage());
                }
            }
        }
        changed.run();
    }

    synchronized void taskStarted() {
        taskInHand = true;
    }

    /** The task is done or given back (its worker, if suspended, is killed by the caller). */
    synchronized void taskEnded() {
        taskInHand = false;
        suspended = false;
    }

    boolean isSuspended() {
        return suspended;
    }
}
