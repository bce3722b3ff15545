package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scheduler}'s projects and their states: creation, preparation, pause, resume,
 * cancel, failure, leases that end (given back, lapsed, their provider gone or banned), and the
 * live figures. The task flow (leases, results, checks, rounds or asynchronous updates) is the
 * scheduler's; both share its state and its lock (this object).
 */
abstract class ProjectLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectLifecycle.class);

    final SchedulerJournal journal;
    final LongSupplier clock;
    final Scheduler.Listener listener;
    final Map<String, ProjectRun> runs = new LinkedHashMap<>();
    /** The live leases' blobs, for the blob plane (read without the lock). */
    final LeaseGrants grants = new LeaseGrants();
    /**
     * Each live project's parameter count and compression, read without the lock: the result
     * checks read deltas beside the task exchange, and queued on its lock before they could.
     */
    private final Map<String, Shape> shapes = new ConcurrentHashMap<>();

    private record Shape(long paramCount, String compression) {
    }
    /** Told when tasks may have appeared (see {@link #whenTasksMayAppear}); called under this lock, so it must not block. */
    private volatile Runnable tasksMayAppear = () -> {
    };

    ProjectLifecycle(SchedulerJournal journal, LongSupplier clock, Scheduler.Listener listener) {
        this.journal = journal;
        this.clock = clock;
        this.listener = journal.afterCommit(listener);
    }

    /**
     * Says whom to tell when tasks may have appeared: a round started, a project became runnable,
     * a lease ended without a result, a result was taken back or needs a second volunteer. The
     * task exchange then offers them to the requests it holds (a long poll).
     */
    public void whenTasksMayAppear(Runnable signal) {
        tasksMayAppear = signal;
    }

    void tasksMayAppear() {
        tasksMayAppear.run();
    }

    /** Creates a project owned by the default owner (the admin); see {@link #create(ProjectSpec, String)}. */
    public ProjectRow create(ProjectSpec spec) throws SQLException {
        return create(spec, ProjectStore.DEFAULT_OWNER);
    }

    /** Gives a project prepared before canonical models existed its canonical form; tasks name it from then on. */
    public synchronized void canonicalModel(String id, String blob) throws SQLException {
        ProjectRun run = requireRun(id);
        journal.canonicalModel(id, blob);
        run.row = run.row.withCanonicalModel(blob);
        run.active.grantIn(grants, run::grant); // the live leases' providers load the canonical form from now on
    }

    /** Creates a project of account {@code owner} in state PREPARING; the caller prepares it, then calls {@link #prepared}. */
    public synchronized ProjectRow create(ProjectSpec spec, String owner) throws SQLException {
        String id = "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ProjectRow row = new ProjectRow(id, spec, ProjectState.PREPARING, null, 0, 0, 0, null, null, 0,
                ProjectRun.plan(spec).totalRounds(), clock.getAsLong(), null);
        journal.created(row, owner);
        ProjectRun run = new ProjectRun(row);
        run.active.grantIn(grants, run::grant);
        runs.put(id, run);
        remember(row);
        return row;
    }

    /**
     * Stores the shards, the model's canonical form and the initial version (0) of a prepared
     * project and starts its first round.
     */
    public synchronized ProjectRow prepared(String id, long params, long trainRows, long validationRows, String validationX,
            String validationY, List<ShardRow> shards, String initialParams, String canonicalModel) throws SQLException {
        ProjectRun run = requireRun(id);
        if (run.row.state() != ProjectState.PREPARING) {
            return run.row;
        }
        ProjectRow row = run.row.prepared(params, trainRows, validationRows, validationX, validationY).withCanonicalModel(canonicalModel)
                .withState(ProjectState.RUNNING, null);
        long now = clock.getAsLong();
        VersionRow initial = new VersionRow(id, 0, initialParams, now, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0);
        journal.prepared(row, shards, initial);
        run.row = row;
        remember(row);
        run.shards(shards);
        run.versionMade(initial);
        run.startRound(0, now);
        listener.versionCreated(row, initial);
        listener.stateChanged(row);
        tasksMayAppear();
        return row;
    }

    /** Marks a project failed (e.g. preparation went wrong), with the reason for its requestor. */
    public synchronized void fail(String id, String message) throws SQLException {
        setState(requireRun(id), ProjectState.FAILED, message);
    }

    void endLeases(ProjectRun run, List<LeaseRow> leases, LeaseState state) throws SQLException {
        if (!leases.isEmpty()) {
            journal.leasesEnded(leases, state, clock.getAsLong());
            leases.forEach(l -> run.active.remove(l.id()));
            run.reopened();
            tasksMayAppear();
        }
    }

    public synchronized ProjectRow pause(String id) throws SQLException {
        ProjectRun run = requireRun(id);
        if (run.row.state() == ProjectState.RUNNING) {
            setState(run, ProjectState.PAUSED, null);
        }
        return run.row;
    }

    public synchronized ProjectRow resume(String id) throws SQLException {
        ProjectRun run = requireRun(id);
        if (run.row.state() == ProjectState.PAUSED) {
            setState(run, ProjectState.RUNNING, null);
        }
        return run.row;
    }

    /** Cancels a project for good; its running tasks' results will be refused as stale. */
    public synchronized ProjectRow cancel(String id) throws SQLException {
        ProjectRun run = requireRun(id);
        endLeases(run, List.copyOf(run.active.values()), LeaseState.CANCELLED);
        setState(run, ProjectState.CANCELLED, null);
        return run.row;
    }

    void setState(ProjectRun run, ProjectState state, String message) throws SQLException {
        journal.stateChanged(run.row.id(), state, message, run.active.values(), clock.getAsLong());
        run.row = run.row.withState(state, message);
        if (state.isFinal()) {
            run.active.clear();
            forget(run.row.id());
        }
        LOG.info("Project {} is now {}{}", run.row.id(), state, message == null ? "" : ": " + message);
        listener.stateChanged(run.row);
        tasksMayAppear();
    }

    ProjectRun requireRun(String id) throws SQLException {
        ProjectRun run = runs.get(id);
        if (run == null) {
            boolean known = journal.storedState(id).isPresent();
            throw new IllegalStateException(known ? "project " + id + " is already finished" : "no project " + id);
        }
        return run;
    }

    /** Live figures of a project that is not finished; empty for finished or unknown ones. */
    public synchronized Optional<Scheduler.Live> live(String id) {
        return Optional.ofNullable(runs.get(id)).map(ProjectRun::live);
    }

    /** Every active lease, for operators. */
    public synchronized List<LeaseRow> activeLeases() {
        List<LeaseRow> all = new ArrayList<>();
        runs.values().forEach(r -> all.addAll(r.active.values()));
        return all;
    }

    /** How a project's updates are encoded (its compression setting; null: none or no such running project). */
    public String compression(String projectId) {
        Shape shape = shapes.get(projectId);
        return shape == null ? null : shape.compression();
    }

    /** The parameter count a project's deltas must have, or -1 for an unknown or finished project. */
    public long paramCount(String projectId) {
        Shape shape = shapes.get(projectId);
        return shape == null ? -1 : shape.paramCount();
    }

    void remember(ProjectRow row) {
        shapes.put(row.id(), new Shape(row.paramCount(), row.spec().compression()));
    }

    /** A project is finished: it leaves the runs. */
    void forget(String projectId) {
        runs.remove(projectId);
        shapes.remove(projectId);
    }

    /** A provider gives a lease back: the task is offered again at once. */
    public synchronized boolean release(String providerId, String leaseId, String reason) throws SQLException {
        for (ProjectRun run : runs.values()) {
            LeaseRow lease = run.active.get(leaseId);
            if (lease != null && lease.providerId().equals(providerId)) {
                endLeases(run, List.of(lease), LeaseState.RELEASED);
                LOG.info("Provider {} gave back shard {} of project {} ({})", providerId, lease.shard(), run.row.id(), reason);
                return true;
            }
        }
        return false;
    }

    /** A provider went offline: its tasks are offered again at once. */
    public synchronized int providerGone(String providerId) throws SQLException {
        return endLeasesOf(providerId, LeaseState.EXPIRED, "went offline");
    }

    /** A device was banned: it gets no more tasks, and the ones it holds are offered again at once. */
    public synchronized int banned(String providerId) throws SQLException {
        return endLeasesOf(providerId, LeaseState.RELEASED, "is banned");
    }

    private int endLeasesOf(String providerId, LeaseState state, String why) throws SQLException {
        int count = 0;
        for (ProjectRun run : runs.values()) {
            List<LeaseRow> held = run.active.heldBy(providerId);
            endLeases(run, held, state);
            count += held.size();
        }
        if (count > 0) {
            LOG.info("Provider {} {}; its {} task(s) will be offered again", providerId, why, count);
        }
        return count;
    }

    /** Ends leases past their deadline; returns how many. Called about once a second. */
    public synchronized int expire() throws SQLException {
        long now = clock.getAsLong();
        int count = 0;
        for (ProjectRun run : runs.values()) {
            List<LeaseRow> late = run.active.values().stream().filter(l -> l.deadline() <= now).toList();
            for (LeaseRow l : late) {
                LOG.info("Lease {} of provider {} (project {}, shard {}) passed its deadline; the task will be offered again", l.id(),
                        l.providerId(), run.row.id(), l.shard());
            }
            endLeases(run, late, LeaseState.EXPIRED);
            count += late.size();
        }
        return count;
    }
}
