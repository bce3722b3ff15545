package org.daig.provider.work;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import org.daig.api.machine.IdleDecision;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.trainer.TrainerClient.TrainResult;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volunteer's work loop on its own thread: while the volunteer participates and the decision
 * allows, lease a task, download, train, upload and commit — over and over. Whatever goes wrong
 * (coordinator away, a blob that does not verify, a worker crash) is one log line; the loop
 * carries on. A task is given back when the volunteer stops, quits, or the machine stays busy
 * past its deadline.
 */
final class WorkLoop {

    private static final Logger LOG = LoggerFactory.getLogger(WorkLoop.class);

    private final TaskExchange exchange;
    private final ParticipationState state;
    private final IdleGate gate;
    private final WarmWorker worker;
    private final TaskTrainer trainer;
    private final TaskHistory history;
    private final ResultCommitter committer;
    private final Clock clock;
    /** What the loop waits on; notified on every change that may let it go on. */
    private final Object lock = new Object();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final Thread thread = new Thread(this::run, "daig-provider-work");
    private volatile boolean running = true;
    private volatile boolean finishing;
    private volatile Task current;
    private volatile Instant taskStartedAt = Instant.EPOCH;
    private volatile String activity = "starting";
    private volatile String lastProblem;
    private volatile Instant lastProblemAt = Instant.EPOCH;
    private volatile double slowdown = 1;

    WorkLoop(TaskExchange exchange, ParticipationState state, IdleGate gate, WarmWorker worker, TaskTrainer trainer,
            TaskHistory history, Clock clock) {
        this.exchange = exchange;
        this.state = state;
        this.gate = gate;
        this.worker = worker;
        this.trainer = trainer;
        this.history = history;
        this.committer = new ResultCommitter(exchange, history, this::problem);
        this.clock = clock;
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Benchmarks of mixed speeds: act {@code factor} times slower than this machine trains (1: as fast as it is). */
    void slowDown(double factor) {
        this.slowdown = Double.isFinite(factor) && factor > 1 ? factor : 1;
    }

    /** Gives back the task in hand, kills the worker and waits (a while) for the thread to end. */
    void stop() throws InterruptedException {
        running = false;
        giveBack("the provider is stopping");
        wake();
        killWorker();
        thread.interrupt();
        thread.join(5000);
    }

    void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    Task current() {
        return current;
    }

    Instant taskStartedAt() {
        return taskStartedAt;
    }

    String activity() {
        return activity;
    }

    String lastProblem() {
        return lastProblem;
    }

    Instant lastProblemAt() {
        return lastProblemAt;
    }

    /** Takes no new task; the future completes when none is in hand (at once with {@code giveBackNow}). */
    CompletableFuture<Void> finishUp(boolean giveBackNow) {
        finishing = true;
        if (giveBackNow && giveBack("the volunteer quit")) {
            killWorker();
        }
        if (current == null) {
            finished.complete(null);
        }
        wake();
        return finished;
    }

    /** A task suspended past its deadline is given back, so another provider can do it now. */
    void giveBackIfOverdue() {
        Task task = current;
        if (task != null && gate.isSuspended() && clock.millis() > task.deadline()) {
            giveBack(task, "the machine stayed busy past the task's deadline");
            killWorker();
        }
    }

    /** Gives back the task in hand, if any; true if there was one. */
    boolean giveBack(String reason) {
        Task task = current;
        if (task == null) {
            return false;
        }
        giveBack(task, reason);
        return true;
    }

    void killWorker() {
        worker.kill();
        gate.taskEnded();
    }

    private void giveBack(Task task, String reason) {
        current = null;
        gate.taskEnded();
        history.finished(task, taskStartedAt, "given back: " + reason, 0);
        exchange.release(task, reason);
        LOG.info("Gave back project {} round {} shard {}: {}", task.projectId(), task.round(), task.shard(), reason);
    }

    private boolean mayWork() {
        IdleDecision d = state.decision();
        return running && state.participating() && !finishing && exchange.isConnected() && d != null && d.mayRun();
    }

    private void run() {
        long backoff = 1000; // doubling waits between unanswered requests, up to 30 s
        while (running) {
            try {
                synchronized (lock) {
                    while (running && !mayWork()) {
                        activity = !state.participating() ? "not participating" : finishing ? "finishing up"
                                : !exchange.isConnected() ? "disconnected" : "waiting: " + state.decision().reason();
                        lock.wait(1000);
                    }
                }
                if (!running) {
                    return;
                }
                worker.prewarm(this::problem);
                activity = "asking for a task";
                TaskReply reply = exchange.askForTask();
                if (reply == null) {
                    problem("the coordinator did not answer a task request within "
                            + (BusTaskExchange.REQUEST_WAIT_MS + BusTaskExchange.REPLY_TIMEOUT_MS) / 1000 + " s; asking again in "
                            + backoff / 1000 + " s");
                    pause(backoff);
                    backoff = Math.min(backoff * 2, 30_000);
                    continue;
                }
                backoff = 1000;
                if (reply.kind() == TaskReply.Kind.TASK && reply.task() != null && !mayWork()) {
                    // the coordinator held the request until a task appeared (a long poll): the user may be back meanwhile
                    exchange.release(reply.task(), "the machine became busy while it waited for a task");
                    LOG.info("Gave back project {} round {} shard {} at once: the machine became busy while it waited for it",
                            reply.task().projectId(), reply.task().round(), reply.task().shard());
                } else if (reply.kind() == TaskReply.Kind.TASK && reply.task() != null) {
                    work(reply.task());
                } else {
                    activity = reply.message() == null ? "no task available" : "no task: " + reply.message();
                    pause(Math.max(500, Math.min(reply.retryAfterMs(), 10_000)));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                problem("unexpected: " + e);
                try {
                    pause(2000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void pause(long millis) throws InterruptedException {
        synchronized (lock) {
            lock.wait(millis);
        }
    }

    private void work(Task task) throws InterruptedException {
        taskStartedAt = clock.instant();
        current = task;
        gate.taskStarted();
        String where = "project " + task.projectId() + " round " + task.round() + " shard " + task.shard();
        try {
            activity = "downloading " + where;
            TaskTrainer.Inputs inputs = trainer.download(task);
            synchronized (lock) { // the machine may have become busy while the blobs came in
                while (running && current == task && !state.decision().mayRun()) {
                    activity = "waiting to train " + where + ": " + state.decision().reason();
                    lock.wait(1000);
                }
            }
            if (current != task) {
                return;
            }
            activity = "training " + where;
            TrainResult answer = trainer.train(task, inputs);
            if (current != task) {
                return; // given back meanwhile
            }
            if (slowdown > 1) {
                actSlower(task, (long) ((slowdown - 1) * answer.seconds() * 1000), where);
            }
            if (current != task) {
                return;
            }
            activity = "uploading the result of " + where;
            String delta = trainer.upload(task, answer.delta());
            if (committer.commit(task, taskStartedAt, delta, answer, () -> running)) {
                lastProblem = null;
            }
        } catch (WorkerDiedException e) {
            if (current == task) { // not killed on purpose after giving the task back
                problem("the worker died training " + where + ": " + e.getMessage());
                giveBack(task, "worker died: " + e.getMessage());
            }
            worker.forget();
        } catch (WorkerException | IOException e) {
            problem(where + ": " + e.getMessage());
            if (current == task) {
                giveBack(task, e.getMessage());
            }
        } finally {
            current = null;
            gate.taskEnded();
            if (finishing) {
                finished.complete(null);
            }
        }
    }

    /** Waits as a slower machine would still be training; a give-back or a stop ends the wait. */
    private void actSlower(Task task, long millis, String where) throws InterruptedException {
        activity = "acting " + slowdown + "x slower on " + where;
        long until = System.nanoTime() + millis * 1_000_000;
        synchronized (lock) {
            while (running && current == task && System.nanoTime() < until) {
                lock.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            }
        }
    }

    /** One log line per distinct problem; the latest is shown in the status. */
    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.warn("Provider: {}", message);
        }
        lastProblem = message;
        lastProblemAt = clock.instant();
    }
}
