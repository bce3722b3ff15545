package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executor;

import org.daig.api.project.ProjectState;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Admission;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scheduler}'s asynchronous strategies (DistNet's "apply and reply" and "reply without
 * applying"): every accepted update makes a version of its own, scaled by its staleness
 * ({@link org.daig.coordinator.aggregate.AsyncSgd}); none waits for a round.
 * <ul>
 * <li>{@code async-apply}: the update is applied under the scheduler's lock, and the result and
 * its version are committed in one transaction before the provider hears ACCEPTED;</li>
 * <li>{@code async-queue}: the accepted result is committed and answered at once; an applier
 * thread applies the queue in acceptance order, each version committed with the mark that its
 * update is applied, so after a crash the queue is rebuilt exactly: nothing acknowledged is lost
 * and nothing is applied twice;</li>
 * <li>{@code async-lockfree}: answered and queued as in async-queue, but the applier takes every
 * update waiting and adds them at once, concurrently, outside the scheduler's lock
 * ({@link org.daig.coordinator.aggregate.LockFreeSgd}); leases and results go on meanwhile. The
 * version they make together is committed with their marks, as above.</li>
 * </ul>
 * Tasks are the plan's one by one (the first neither accepted nor leased), each trained from the
 * version current when it was leased; a result more than the project's max staleness behind is
 * refused (STALE) and its task offered again. Checks of asynchronous results are replays after
 * the fact: a failed one takes back the credit and bans the device, the update stays applied.
 * Guarded by the scheduler's lock, like the rest of its state.
 */
public final class AsyncUpdates {

    public static final String APPLY = "async-apply";
    public static final String QUEUE = "async-queue";
    public static final String LOCKFREE = "async-lockfree";

    private static final Logger LOG = LoggerFactory.getLogger(AsyncUpdates.class);

    private final Scheduler scheduler;
    private volatile Executor applier;

    AsyncUpdates(Scheduler scheduler) {
        this.scheduler = scheduler;
        this.applier = command -> {
            Thread t = new Thread(command, "daig-async-applier");
            t.setDaemon(true);
            t.start();
        };
    }

    void applyWith(Executor executor) {
        this.applier = executor;
    }

    /** Takes a result of an asynchronous project; called under the scheduler's lock. */
    Scheduler.Outcome submit(ProjectRun run, String providerId, TaskResult result, Delta delta) throws Exception {
        LeaseRow lease = scheduler.lease(run, result.leaseId());
        Admission admission = ResultAdmission.decide(scheduler.facts(run, result, -1), providerId, result, delta);
        if (admission.verdict() == ResultAdmission.Verdict.ROUND_OVER && lease != null && run.active.containsKey(lease.id())) {
            // too stale to count: the task is offered again, from the current version
            scheduler.endLeases(run, List.of(lease), LeaseState.SUPERSEDED);
        }
        if (admission.verdict() != ResultAdmission.Verdict.ACCEPT) {
            return new Scheduler.Outcome(admission.verdict(), admission.reason(), 0);
        }
        long now = scheduler.clock.getAsLong();
        ResultRow accepted = new ResultRow(run.row.id(), result.round(), result.shard(), providerId, result.leaseId(), result.delta(),
                result.samples(), result.loss(), result.accuracy(), result.seconds(), delta.norm(),
                lease != null ? now - lease.issuedAt() : 0, now, result.threadCount(), result.runtimeOrNull(), result.version());
        double credit = run.credit(result.samples());
        List<LeaseRow> taskLeases = run.active.values().stream().filter(l -> l.round() == result.round()).toList();
        // replication pairs results of one round; here a check is a replay, after the update counted
        Scheduler.Verification check = scheduler.checkPolicy().select(providerId) == Scheduler.Verification.NONE
                ? Scheduler.Verification.NONE : Scheduler.Verification.REPLAY;
        // the replay's task names the parameters of the result's base version: taken now, before newer versions retire them
        Scheduler.PendingCheck replay = check == Scheduler.Verification.REPLAY ? run.check(accepted, null) : null;
        if (replay != null) {
            run.asyncChecks.add(accepted);
        }
        if (run.pacing == ProjectRun.Pacing.APPLY) {
            VersionRow version = versionWith(run, accepted, now);
            if (version == null) {
                return new Scheduler.Outcome(ResultAdmission.Verdict.PROJECT_FINISHED, "project " + run.row.id() + " failed", 0);
            }
            boolean done = run.doneBy.size() + 1 >= run.plan.totalRounds();
            scheduler.journal.acceptedAndApplied(accepted, credit, taskLeases, check, version, done, now);
            taken(run, accepted, taskLeases, check);
            versionMade(run, version, done, now);
        } else {
            scheduler.journal.accepted(accepted, credit, taskLeases, check, now);
            taken(run, accepted, taskLeases, check);
            run.queued.addLast(accepted);
            startApplying(run);
        }
        return new Scheduler.Outcome(admission.verdict(), admission.reason(), credit, replay);
    }

    private void taken(ProjectRun run, ResultRow accepted, List<LeaseRow> taskLeases, Scheduler.Verification check) {
        taskLeases.forEach(l -> run.active.remove(l.id()));
        run.doneBy.put(accepted.round(), accepted.providerId());
        run.leaseTook(accepted.leaseMillis());
        if (check == Scheduler.Verification.NONE) {
            ProjectRun.remember(run.norms, accepted.norm());
        }
    }

    /** async-queue: applies the project's queued updates in order, one version each. */
    void applyQueued(String projectId) {
        synchronized (scheduler) {
            ProjectRun run = scheduler.runs.get(projectId);
            try {
                while (run != null && !run.queued.isEmpty() && run.row.state() != ProjectState.PREPARING) {
                    ResultRow next = run.queued.peekFirst();
                    long now = scheduler.clock.getAsLong();
                    VersionRow version = versionWith(run, next, now);
                    if (version == null) {
                        if (run.row.state() == ProjectState.FAILED) {
                            return;
                        }
                        continue; // its delta was lost: taken back, the queue goes on
                    }
                    boolean done = run.doneBy.size() >= run.plan.totalRounds() && run.queued.size() == 1;
                    scheduler.journal.applied(List.of(next), version, done);
                    run.queued.removeFirst();
                    versionMade(run, version, done, now);
                }
            } catch (SQLException e) {
                // the version was not committed: the update stays queued in the database and is applied after a restart
                LOG.error("Project {}: applying a queued update failed: {}", projectId, e.toString());
            }
        }
    }

    /** Restarted with accepted updates not applied yet: apply them now. */
    void resume(ProjectRun run) {
        if (!run.queued.isEmpty()) {
            LOG.info("Project {}: {} accepted update(s) were waiting to be applied before the restart; applying them", run.row.id(),
                    run.queued.size());
            startApplying(run);
        }
    }

    private void startApplying(ProjectRun run) {
        String id = run.row.id();
        applier.execute(run.pacing == ProjectRun.Pacing.LOCKFREE ? () -> applyTogether(id) : () -> applyQueued(id));
    }

    /**
     * async-lockfree: applies every update waiting, together, in one version; again while more
     * arrived meanwhile. The adding runs outside the scheduler's lock; one batch at a time per project.
     */
    void applyTogether(String projectId) {
        while (true) {
            ProjectRun run;
            ProjectRow base;
            List<ResultRow> batch;
            String params;
            String sentBefore;
            synchronized (scheduler) {
                run = scheduler.runs.get(projectId);
                if (run == null || run.applying || run.queued.isEmpty() || run.row.state() == ProjectState.PREPARING) {
                    return;
                }
                run.applying = true;
                batch = List.copyOf(run.queued);
                params = run.currentParams;
                sentBefore = run.currentSent;
                base = run.row;
            }
            Scheduler.Made made = null;
            Exception failure = null;
            try {
                made = scheduler.make(base, params, sentBefore, batch);
            } catch (Exception e) {
                failure = e;
            }
            synchronized (scheduler) {
                run.applying = false;
                if (scheduler.runs.get(projectId) != run) {
                    return; // stopped meanwhile: the updates stay queued in the database, applied when it runs again
                }
                if (!commitTogether(run, batch, made, failure)) {
                    return;
                }
            }
        }
    }

    /** Commits the version a batch made; false when the project failed or the commit did (the batch stays queued then). */
    private boolean commitTogether(ProjectRun run, List<ResultRow> batch, Scheduler.Made made, Exception failure) {
        try {
            if (failure instanceof LostDeltas lost) {
                RoundClosing.takeBack(scheduler, run, batch, lost);
                return true; // the rest of the batch is applied next
            }
            if (made == null) {
                LOG.error("Project {}: applying {} updates together failed: {}", run.row.id(), batch.size(), String.valueOf(failure));
                scheduler.setState(run, ProjectState.FAILED, "applying updates at version " + run.row.round() + " failed: "
                        + (failure == null ? "" : failure.getMessage()));
                return false;
            }
            long now = scheduler.clock.getAsLong();
            VersionRow version = made.version(run, batch, now);
            boolean done = run.doneBy.size() >= run.plan.totalRounds() && run.queued.size() == batch.size();
            scheduler.journal.applied(batch, version, done);
            batch.forEach(r -> run.queued.removeFirst());
            versionMade(run, version, done, now);
            return true;
        } catch (SQLException e) {
            LOG.error("Project {}: committing {} updates applied together failed: {}", run.row.id(), batch.size(), e.toString());
            return false;
        }
    }

    /**
     * The version this one update makes, or null when aggregation failed (the project is failed
     * then) or a queued update's delta was lost (it is taken back then).
     */
    private VersionRow versionWith(ProjectRun run, ResultRow update, long now) throws SQLException {
        try {
            return scheduler.make(run.row, run.currentParams, run.currentSent, List.of(update)).version(run, List.of(update), now);
        } catch (Exception e) {
            if (e instanceof LostDeltas lost && run.queued.contains(update)) {
                RoundClosing.takeBack(scheduler, run, List.of(update), lost);
                return null;
            }
            LOG.error("Project {}: applying the update of {} for task {} failed: {}", run.row.id(), update.providerId(), update.round(),
                    e.toString());
            scheduler.setState(run, ProjectState.FAILED, "applying an update at version " + run.row.round() + " failed: " + e.getMessage());
            return null;
        }
    }

    private void versionMade(ProjectRun run, VersionRow version, boolean done, long now) {
        ProjectRow row = run.row;
        run.versionMade(version);
        // only versions a live lease trains from are still handed out
        int oldest = run.active.values().stream().mapToInt(LeaseRow::baseVersion).min().orElse(version.version());
        run.versionParams.keySet().removeIf(v -> v < oldest && v != version.version());
        ProjectRun.remember(run.roundMillis, version.roundMillis());
        run.row = done ? row.withRound(version.version()).withState(ProjectState.COMPLETED, null) : row.withRound(version.version());
        run.startRound(version.version(), now);
        scheduler.tasksMayAppear();
        if (done) {
            scheduler.forget(row.id());
            LOG.info("Project {} completed: {} updates applied asynchronously", row.id(), version.version());
        }
        scheduler.listener.versionCreated(run.row, version);
        if (done) {
            scheduler.listener.stateChanged(run.row);
        }
    }
}
