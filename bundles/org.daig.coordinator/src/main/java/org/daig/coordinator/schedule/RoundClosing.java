package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.daig.api.project.ProjectState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a synchronous round: once it has all its results, its next version is made
 * (aggregated, and written to the blob store) outside the {@link Scheduler}'s lock, where
 * {@link #closeWith} says, and then committed under it. Meanwhile the round has no task to lease,
 * and leases, results and other projects go on: a slow aggregation or a stalled blob store holds up
 * its own project only. Guarded by the scheduler's lock, like the rest of its state, except for the
 * making itself.
 */
final class RoundClosing {

    private static final Logger LOG = LoggerFactory.getLogger(RoundClosing.class);

    private final Scheduler scheduler;
    private volatile Executor executor = Runnable::run;

    RoundClosing(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void closeWith(Executor closer) {
        this.executor = closer;
    }

    /** Starts closing {@code run}'s complete round; called under the scheduler's lock. */
    void start(ProjectRun run) {
        List<ResultRow> results = new ArrayList<>(run.accepted.values());
        results.sort((a, b) -> Integer.compare(a.shard(), b.shard()));
        ProjectRow row = run.row;
        String params = run.currentParams;
        String sent = run.currentSent;
        run.closing = true;
        executor.execute(() -> {
            Scheduler.Made made = null;
            Exception failure = null;
            try {
                made = scheduler.make(row, params, sent, results);
            } catch (Exception e) {
                failure = e;
            }
            if (made == null && Thread.currentThread().isInterrupted()) {
                return; // the coordinator is stopping: the round is closed again when it starts
            }
            synchronized (scheduler) {
                finish(run, row.round(), results, made, failure);
            }
        });
    }

    /** Closes again the complete rounds whose close could not be stored (a database that failed for a moment). */
    void closeWaiting() {
        synchronized (scheduler) {
            for (ProjectRun run : List.copyOf(scheduler.runs.values())) {
                if (!run.async() && !run.closing && run.row.state() != ProjectState.PREPARING && run.roundComplete()) {
                    start(run);
                }
            }
        }
    }

    /** Commits the version a round's close made, unless the project was stopped or rebuilt meanwhile. */
    private void finish(ProjectRun run, int round, List<ResultRow> results, Scheduler.Made made, Exception failure) {
        if (scheduler.runs.get(run.row.id()) != run || !run.closing || run.row.round() != round) {
            return; // cancelled, failed or rebuilt from the database meanwhile (a rebuilt run closes the round itself)
        }
        run.closing = false;
        ProjectRow row = run.row;
        try {
            if (failure instanceof LostDeltas lost) {
                takeBack(scheduler, run, results, lost);
                return;
            }
            if (made == null) {
                LOG.error("Project {}: aggregating round {} failed: {}", row.id(), round, String.valueOf(failure));
                scheduler.setState(run, ProjectState.FAILED,
                        "aggregating round " + round + " failed: " + (failure == null ? "" : failure.getMessage()));
                return;
            }
            long now = scheduler.clock.getAsLong();
            VersionRow version = made.version(run, results, now);
            int next = version.version();
            boolean done = next >= row.totalRounds();
            scheduler.journal.roundClosed(version, List.copyOf(run.active.values()), done, now);
            run.active.clear();
            run.versionMade(version);
            ProjectRun.remember(run.roundMillis, version.roundMillis());
            run.row = done ? row.withRound(next).withState(ProjectState.COMPLETED, null) : row.withRound(next);
            run.startRound(next, now);
            scheduler.tasksMayAppear();
            LOG.info("Project {}: round {} of {} closed, version {} from {} results ({} providers)", row.id(), next, row.totalRounds(), next,
                    results.size(), version.contributors());
            if (done) {
                scheduler.forget(row.id());
                LOG.info("Project {} completed", row.id());
            }
            scheduler.listener.versionCreated(run.row, version);
            if (done) {
                scheduler.listener.stateChanged(run.row);
            }
        } catch (SQLException e) {
            LOG.error("Project {}: storing the close of round {} failed ({}); it is tried again within seconds", row.id(), round,
                    e.toString());
        }
    }

    /**
     * The project goes on without the results (of a round, or queued asynchronous updates) whose
     * deltas the blob store lost: each is taken back with its credit (its provider is not blamed)
     * and its task is offered again. Under the scheduler's lock.
     */
    static void takeBack(Scheduler scheduler, ProjectRun run, List<ResultRow> results, LostDeltas lost) throws SQLException {
        try {
            for (ResultRow result : results) {
                if (lost.blobs().contains(result.deltaBlob())) {
                    scheduler.journal.checked(result, null, true);
                    if (run.async()) {
                        run.queued.remove(result);
                        run.doneBy.remove(result.round()); // an asynchronous project's task is its round
                    } else {
                        run.accepted.remove(result.shard());
                    }
                    LOG.warn("Project {}: the delta of provider {} for round {} shard {} is gone from the blob store; its result is taken "
                            + "back and the task offered again", run.row.id(), result.providerId(), result.round(), result.shard());
                }
            }
        } finally {
            run.reopened();
            scheduler.tasksMayAppear();
        }
    }
}
