package org.daig.provider.work;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;

/**
 * The trainer worker JVM, kept warm from one task to the next (a start costs about a second) and
 * started with the idle policy's limits of the moment.
 */
final class WarmWorker {

    private final WorkerLauncher launcher;
    private final Supplier<WorkerLimits> limits;
    /** In the sandbox (no network, read-only files) for strangers' model files; the experts' host needs the network. */
    private final boolean confined;
    /** Held while a JVM starts; never taken by the idle gate, so a policy change does not wait for a start. */
    private final Object startLock = new Object();
    private volatile Worker worker;

    WarmWorker(WorkerLauncher launcher, Supplier<WorkerLimits> limits) {
        this(launcher, limits, true);
    }

    WarmWorker(WorkerLauncher launcher, Supplier<WorkerLimits> limits, boolean confined) {
        this.launcher = launcher;
        this.limits = limits;
        this.confined = confined;
    }

    /** The running worker, started if there is none. */
    Worker get() throws WorkerException {
        synchronized (startLock) {
            Worker w = worker;
            if (w == null || !w.isAlive()) {
                try {
                    w = confined ? launcher.startConfined(limits.get()) : launcher.start(limits.get());
                } catch (IOException e) {
                    throw new WorkerException("cannot start the trainer worker: " + e.getMessage());
                }
                worker = w;
            }
            return w;
        }
    }

    /** The worker as it is now, or null; never starts one. */
    Worker current() {
        return worker;
    }

    /**
     * Starts the worker in the background while the first task is asked for and downloaded, so its
     * start-up is not on the task's critical path.
     */
    void prewarm(Consumer<String> problem) {
        Worker w = worker;
        if (w == null || !w.isAlive()) {
            Thread t = new Thread(() -> {
                try {
                    get();
                } catch (WorkerException e) {
                    problem.accept(e.getMessage());
                }
            }, "daig-worker-prewarm");
            t.setDaemon(true);
            t.start();
        }
    }

    /** After the worker died on its own: the next task starts a fresh one. */
    void forget() {
        worker = null;
    }

    void kill() {
        synchronized (startLock) {
            Worker w = worker;
            if (w != null) {
                w.kill();
                worker = null;
            }
        }
    }

    /** The worker's process id, or -1. */
    long pid() {
        Worker w = worker;
        return w == null ? -1 : w.pid();
    }
}
