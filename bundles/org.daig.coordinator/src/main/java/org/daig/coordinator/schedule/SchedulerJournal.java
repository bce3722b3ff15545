package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.daig.api.project.ProjectState;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.AsyncStore;
import org.daig.coordinator.store.CheckStore;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.DeltaStore;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;

/**
 * The scheduler's decisions as database transactions, one per decision, and the rebuilding of
 * its in-memory state from them after a restart. Keeps the SQL side out of the scheduling rules.
 */
final class SchedulerJournal {

    private final Database db;
    /** The accepted deltas of every project that is not finished (a finished one's are in the database: {@link DeltaStore#keepFinishedDeltas}). */
    private final Map<String, AcceptedDeltas> deltas = new ConcurrentHashMap<>();
    /**
     * Leases that ended with their task's accepted result, committed with it, whose rows still say
     * ACTIVE, by lease id (issue order): written later, while the task exchange is idle
     * ({@link #writeLeaseEnds}). The update was a sixth of the exchange thread's samples in a
     * round's burst of results (10,000 providers); what it records follows from the result anyway,
     * which is how {@link #load} ends them after a restart.
     */
    private final ConcurrentSkipListMap<String, LeaseEnd> unwrittenEnds = new ConcurrentSkipListMap<>();

    /** A lease in its final state, and when it got there. */
    private record LeaseEnd(LeaseRow lease, long at) {
    }

    SchedulerJournal(Database db) {
        this.db = db;
    }

    /** {@code listener}, told of versions and state changes once they are committed (a group commit may be open). */
    Scheduler.Listener afterCommit(Scheduler.Listener listener) {
        return new Scheduler.Listener() {
            @Override
            public void versionCreated(ProjectRow project, VersionRow version) {
                db.afterCommit(() -> listener.versionCreated(project, version));
            }

            @Override
            public void stateChanged(ProjectRow project) {
                db.afterCommit(() -> listener.stateChanged(project));
            }
        };
    }

    /**
     * The runs of every project that is not finished, with their round's results and active
     * leases; leases of an earlier round (a restart between closing a round and ending them) are
     * superseded.
     */
    Map<String, ProjectRun> load(long now) throws SQLException {
        Map<String, ProjectRun> runs = new LinkedHashMap<>();
        deltas.clear();
        unwrittenEnds.clear(); // the leases of committed results are ended from the database below
        db.transaction(c -> {
            for (ProjectRow row : ProjectStore.projects(c)) {
                if (row.state().isFinal()) {
                    continue;
                }
                ProjectRun run = new ProjectRun(row);
                if (row.state() != ProjectState.PREPARING) {
                    AcceptedDeltas accepted = deltasOf(row.id());
                    DeltaStore.forEachDelta(c, row.id(), accepted::add);
                    run.shards(ProjectStore.shards(c, row.id()));
                    List<VersionRow> versions = ProjectStore.versions(c, row.id());
                    versions.forEach(run::versionMade);
                    versions.stream().filter(v -> v.version() > 0).forEach(v -> ProjectRun.remember(run.roundMillis, v.roundMillis()));
                    List<ResultRow> recent = ProjectStore.recentResults(c, row.id(), ProjectRun.RECENT);
                    for (int i = recent.size() - 1; i >= 0; i--) {
                        run.leaseTook(recent.get(i).leaseMillis());
                        ProjectRun.remember(run.norms, recent.get(i).norm());
                    }
                    run.startRound(row.round(), now);
                    if (run.async()) {
                        AsyncStore.AsyncProgress progress = AsyncStore.asyncProgress(c, row.id());
                        run.doneBy.putAll(progress.doneBy());
                        run.queued.addAll(progress.unapplied()); // accepted and answered, not applied yet: applied after the restart
                        for (int task : CheckStore.roundsInState(c, row.id(), CheckStore.PENDING)) {
                            run.asyncChecks.addAll(ProjectStore.results(c, row.id(), task)); // replayed after the restart
                        }
                        runs.put(row.id(), run);
                        continue;
                    }
                    for (ResultRow r : ProjectStore.results(c, row.id(), row.round())) {
                        run.accepted.put(r.shard(), r);
                    }
                    run.checking.addAll(CheckStore.inState(c, row.id(), row.round(), CheckStore.PENDING));
                    for (int shard : CheckStore.inState(c, row.id(), row.round(), CheckStore.REPLICA)) {
                        run.checking.add(shard);
                        run.replicas.put(shard, run.accepted.get(shard));
                    }
                    for (ResultRow second : CheckStore.replicasToCompare(c, row.id(), row.round())) {
                        run.checking.add(second.shard());
                        run.seconds.put(second.shard(), second);
                    }
                }
                runs.put(row.id(), run);
            }
            for (LeaseRow lease : ProjectStore.activeLeases(c)) {
                ProjectRun run = runs.get(lease.projectId());
                if (run != null && (run.async() || lease.round() == run.row.round() && !endedByResult(run, lease))) {
                    run.active.put(lease.id(), lease);
                } else {
                    // its task's result came on it (its end was not written yet), or on another lease, or its round is over
                    String resultLease = DeltaStore.leaseOf(c, lease.projectId(), lease.round(), lease.shard());
                    ProjectStore.endLease(c, lease.id(), lease.id().equals(resultLease) ? LeaseState.COMPLETED : LeaseState.SUPERSEDED, now);
                }
            }
            return null;
        });
        return runs;
    }

    /** Whether a lease of {@code run}'s round ended with its shard's accepted result (one that waits for no check, see {@link #acceptedInRound}). */
    private static boolean endedByResult(ProjectRun run, LeaseRow lease) {
        return run.accepted.containsKey(lease.shard()) && !run.checking.contains(lease.shard());
    }

    void created(ProjectRow row, String owner) throws SQLException {
        db.transaction(c -> {
            ProjectStore.insertProject(c, row, owner);
            return null;
        });
    }

    void canonicalModel(String projectId, String blob) throws SQLException {
        db.transaction(c -> {
            ProjectStore.saveCanonicalModel(c, projectId, blob);
            return null;
        });
    }

    void prepared(ProjectRow row, List<ShardRow> shards, VersionRow initial) throws SQLException {
        db.transaction(c -> {
            ProjectStore.savePreparation(c, row, shards);
            ProjectStore.insertVersion(c, initial);
            ProjectStore.updateState(c, row.id(), ProjectState.RUNNING, null);
            return null;
        });
    }

    void leased(LeaseRow lease) throws SQLException {
        db.append(c -> { // one insert under a fresh random id: only a failing database makes it throw
            ProjectStore.insertLease(c, lease);
            return null;
        });
    }

    /**
     * The result with its credit (PENDING its replay, or waiting for its REPLICA); the lease it came on
     * completed, other leases of its shard superseded.
     */
    void accepted(ResultRow result, double credit, List<LeaseRow> shardLeases, Scheduler.Verification check, long now)
            throws SQLException {
        // decided in memory first (the task's result is not there yet, its leases are live), so only a failing database makes these
        // writes throw: no savepoint of their own (H2 parses a statement for each), and a failure fails the whole group
        db.append(c -> {
            insertAccepted(c, result, credit, shardLeases, check, now);
            return null;
        });
        deltasOf(result.projectId()).add(result.deltaBlob(), result.round(), result.shard());
    }

    /**
     * A synchronous round's accepted result, as {@link #accepted}, except that its shard's leases are
     * ended in memory at once and in their rows later ({@link #unwrittenEnds}), unless the result
     * waits for a check: then a replica's lease may come on the same shard, and the rows are written now.
     */
    void acceptedInRound(ResultRow result, double credit, List<LeaseRow> shardLeases, Scheduler.Verification check, long now)
            throws SQLException {
        if (check != Scheduler.Verification.NONE) {
            accepted(result, credit, shardLeases, check, now);
            return;
        }
        db.append(c -> {
            ProjectStore.insertResult(c, result, credit);
            return null;
        });
        deltasOf(result.projectId()).add(result.deltaBlob(), result.round(), result.shard());
        List<LeaseEnd> ends = shardLeases.stream().map(l -> new LeaseEnd(l.withState(ended(l, result)), now)).toList();
        db.afterCommit(() -> ends.forEach(end -> unwrittenEnds.put(end.lease().id(), end)));
    }

    private static LeaseState ended(LeaseRow lease, ResultRow result) {
        return lease.id().equals(result.leaseId()) ? LeaseState.COMPLETED : LeaseState.SUPERSEDED;
    }

    /**
     * Writes the rows of up to {@code most} leases that ended with their task's result, oldest
     * first, in one transaction; returns whether more are waiting.
     */
    boolean writeLeaseEnds(int most) throws SQLException {
        List<LeaseEnd> batch = unwrittenEnds.values().stream().limit(most).toList();
        if (!batch.isEmpty()) {
            db.transaction(c -> {
                for (LeaseEnd end : batch) {
                    ProjectStore.endLease(c, end.lease().id(), end.lease().state(), end.at());
                }
                return null;
            });
            batch.forEach(end -> unwrittenEnds.remove(end.lease().id(), end)); // written: from now on the database answers for them
        }
        return !unwrittenEnds.isEmpty();
    }

    private static void insertAccepted(java.sql.Connection c, ResultRow result, double credit, List<LeaseRow> shardLeases,
            Scheduler.Verification check, long now) throws SQLException {
        ProjectStore.insertResult(c, result, credit);
        if (check != Scheduler.Verification.NONE) {
            CheckStore.state(c, result.projectId(), result.round(), result.shard(), result.providerId(),
                    check == Scheduler.Verification.REPLAY ? CheckStore.PENDING : CheckStore.REPLICA);
        }
        for (LeaseRow l : shardLeases) {
            ProjectStore.endLease(c, l.id(), ended(l, result), now);
        }
    }

    /** async-apply: the accepted result and the version it makes, in one transaction (nothing is answered before it commits). */
    void acceptedAndApplied(ResultRow result, double credit, List<LeaseRow> taskLeases, Scheduler.Verification check, VersionRow version,
            boolean done, long now) throws SQLException {
        db.transaction(c -> {
            insertAccepted(c, result, credit, taskLeases, check, now);
            insertApplied(c, List.of(result), version, done);
            return null;
        });
        deltasOf(result.projectId()).add(result.deltaBlob(), result.round(), result.shard());
        finishedIf(done, version.projectId());
    }

    /**
     * The version queued (accepted, answered) updates make (async-queue: one; async-lockfree: those applied together), and that
     * each is applied, in one transaction.
     */
    void applied(List<ResultRow> results, VersionRow version, boolean done) throws SQLException {
        db.transaction(c -> {
            insertApplied(c, results, version, done);
            return null;
        });
        finishedIf(done, version.projectId());
    }

    private static void insertApplied(java.sql.Connection c, List<ResultRow> results, VersionRow version, boolean done)
            throws SQLException {
        ProjectStore.insertVersion(c, version);
        for (ResultRow result : results) {
            AsyncStore.markApplied(c, result, version.version());
        }
        ProjectStore.updateRound(c, version.projectId(), version.version());
        if (done) {
            ProjectStore.updateState(c, version.projectId(), ProjectState.COMPLETED, null);
            DeltaStore.keepFinishedDeltas(c, version.projectId());
        }
    }

    /** A replay's outcome: the result stays (state PASSED or UNCHECKED), or it and its credit are taken back. */
    void checked(ResultRow result, String state, boolean revoke) throws SQLException {
        db.transaction(c -> revoke ? CheckStore.revoke(c, result.projectId(), result.round(), result.shard(), result.providerId())
                : CheckStore.state(c, result.projectId(), result.round(), result.shard(), result.providerId(), state));
    }

    /** A replicated task's second result with its credit, the first now PENDING the comparison; the lease it came on completed. */
    void replicaAccepted(ResultRow first, ResultRow second, double credit, LeaseRow lease, long now) throws SQLException {
        db.transaction(c -> {
            CheckStore.insertReplica(c, second, credit);
            CheckStore.state(c, first.projectId(), first.round(), first.shard(), first.providerId(), CheckStore.PENDING);
            ProjectStore.endLease(c, lease.id(), LeaseState.COMPLETED, now);
            return null;
        });
    }

    void replicaChecked(ResultRow second, boolean passed) throws SQLException {
        db.transaction(c -> {
            CheckStore.replicaChecked(c, second, passed);
            return null;
        });
    }

    void roundClosed(VersionRow version, Collection<LeaseRow> leftovers, boolean done, long now) throws SQLException {
        db.transaction(c -> {
            ProjectStore.insertVersion(c, version);
            ProjectStore.updateRound(c, version.projectId(), version.version());
            for (LeaseRow l : leftovers) {
                ProjectStore.endLease(c, l.id(), LeaseState.SUPERSEDED, now);
            }
            if (done) {
                ProjectStore.updateState(c, version.projectId(), ProjectState.COMPLETED, null);
                DeltaStore.keepFinishedDeltas(c, version.projectId());
            }
            return null;
        });
        finishedIf(done, version.projectId());
    }

    void leasesEnded(Collection<LeaseRow> leases, LeaseState state, long now) throws SQLException {
        db.transaction(c -> {
            for (LeaseRow l : leases) {
                ProjectStore.endLease(c, l.id(), state, now);
            }
            return null;
        });
    }

    /** A new state; a final one cancels the leases still active. */
    void stateChanged(String id, ProjectState state, String message, Collection<LeaseRow> active, long now) throws SQLException {
        db.transaction(c -> {
            ProjectStore.updateState(c, id, state, message);
            if (state.isFinal()) {
                for (LeaseRow l : active) {
                    ProjectStore.endLease(c, l.id(), LeaseState.CANCELLED, now);
                }
                DeltaStore.keepFinishedDeltas(c, id);
            }
            return null;
        });
        finishedIf(state.isFinal(), id);
    }

    /** The stored state of a project the scheduler does not run (finished), empty when there is no such project. */
    Optional<ProjectState> storedState(String id) throws SQLException {
        return db.query(c -> ProjectStore.projects(c).stream().filter(p -> p.id().equals(id)).map(ProjectRow::state).findFirst());
    }

    /** A lease in whatever state it ended in; empty when there never was one. */
    Optional<LeaseRow> lease(String id) throws SQLException {
        LeaseEnd unwritten = unwrittenEnds.get(id);
        return unwritten != null ? Optional.of(unwritten.lease()) : db.query(c -> ProjectStore.lease(c, id));
    }

    /**
     * Where the project already accepted this result's delta: for this very task in an earlier
     * round (a resend of an accepted result), or for another task (a copy, fresh or stale).
     */
    record DeltaSeen(boolean acceptedEarlier, boolean copied) {
    }

    DeltaSeen deltaSeen(ProjectRow row, TaskResult result) throws SQLException {
        if (row.state() == ProjectState.PREPARING || result.delta() == null) {
            return new DeltaSeen(false, false);
        }
        List<int[]> candidates = deltasOf(row.id()).candidates(result.delta());
        List<int[]> tasks = candidates.isEmpty() ? List.of() : db.query(c -> confirmed(c, row.id(), result.delta(), candidates));
        boolean sameTask = tasks.stream().anyMatch(t -> t[0] == result.round() && t[1] == result.shard());
        // a resend: under K-batch sync, of a round closed since; asynchronously, of a task that counted already
        boolean earlier = sameTask && result.round() >= 0 && (result.round() < row.round() || ProjectRun.Pacing.of(row.spec())
                != ProjectRun.Pacing.ROUNDS);
        return new DeltaSeen(earlier, tasks.stream().anyMatch(t -> t[0] != result.round() || t[1] != result.shard()));
    }

    /** Of the {@code candidates} (round, shard) that {@link AcceptedDeltas} named, those whose stored result carries {@code delta}. */
    private static List<int[]> confirmed(java.sql.Connection c, String projectId, String delta, List<int[]> candidates) throws SQLException {
        List<int[]> tasks = new java.util.ArrayList<>(1);
        for (int[] task : candidates) {
            if (delta.equals(DeltaStore.deltaOf(c, projectId, task[0], task[1]))) {
                tasks.add(task);
            }
        }
        return tasks;
    }

    /** Whether unfinished project {@code projectId} has accepted a result carrying {@code delta} (committed ones: a requestor's read). */
    boolean acceptedDelta(String projectId, String delta) throws SQLException {
        AcceptedDeltas accepted = deltas.get(projectId);
        List<int[]> candidates = accepted == null ? List.of() : accepted.candidates(delta);
        return !candidates.isEmpty() && !db.read(c -> confirmed(c, projectId, delta, candidates)).isEmpty();
    }

    private AcceptedDeltas deltasOf(String projectId) {
        return deltas.computeIfAbsent(projectId, id -> new AcceptedDeltas());
    }

    /** A project that became final keeps its deltas in the database from now on: its index in memory goes once that is committed. */
    private void finishedIf(boolean finished, String projectId) {
        if (finished) {
            db.afterCommit(() -> deltas.remove(projectId));
        }
    }
}
