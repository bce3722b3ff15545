package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Admission;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.schedule.ResultAdmission.Facts;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rounds of K-batch synchronous SGD for every project: leases tasks, takes results,
 * closes rounds. Every decision is committed to the database ({@link SchedulerJournal}) before it
 * is answered, and the whole state can be rebuilt from the database ({@link #load()}), so a
 * coordinator killed at any point carries on where it was after a restart.
 *
 * <p>Decisions are serialized (one lock): they are small, and it keeps the rules easy to check.
 * Which results are taken is {@link ResultAdmission}'s pure rule. What takes long (reading
 * deltas, validation, evaluation, export) happens outside, except for the aggregation at the end
 * of a round, which is the round's transition. Projects' states are {@link ProjectLifecycle}'s.
 */
public final class Scheduler extends ProjectLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    /** Makes a round's new parameters from the current ones and the round's results (in shard order). */
    public interface RoundCloser {
        String aggregate(ProjectRow project, String currentParams, List<ResultRow> results) throws Exception;

        /**
         * What providers get of a new version {@code params}: compressed projects send B(v) and its
         * difference D(v) from {@code previousSent} (docs/protocol.md, "Parameters as differences"); by default the version itself.
         */
        default Sent sent(ProjectRow project, String previousSent, String params) throws Exception {
            return new Sent(params, null);
        }
    }

    /** A version's parameters as providers get them, and the blob of its compressed difference from the previous (or null). */
    public record Sent(String blob, String diff) {
    }

    /** New parameters, computed and as sent: the closer's two steps, before they become a version. */
    record Made(String params, Sent sent) {

        VersionRow version(ProjectRun run, List<ResultRow> results, long now) {
            return run.nextVersion(params, results, now).withSent(sent.blob(), sent.diff());
        }
    }

    /** Aggregates {@code results} onto {@code params} (as sent: {@code sent}); may run outside the scheduler's lock. */
    Made make(ProjectRow row, String params, String sent, List<ResultRow> results) throws Exception {
        String next = closer.aggregate(row, params, results);
        return new Made(next, closer.sent(row, sent, next));
    }

    /** Hears about new versions and state changes (after they are committed). */
    public interface Listener {
        void versionCreated(ProjectRow project, VersionRow version);

        default void stateChanged(ProjectRow project) {
        }
    }

    /** How an accepted result is verified before its round may close. */
    public enum Verification {
        /** Not at all: it counts as it is. */
        NONE,
        /** The coordinator replays its task (a spot check). */
        REPLAY,
        /** A second volunteer does its task too, and the two must agree (replication). */
        REPLICA
    }

    /** Picks how each accepted result is verified. */
    public interface CheckPolicy {
        CheckPolicy OFF = providerId -> Verification.NONE;

        Verification select(String providerId);
    }

    /**
     * An accepted result waiting for its check: the task as its provider got it, the result, and
     * for replication the second volunteer's result to compare it with (null: a replay).
     */
    public record PendingCheck(Task task, ResultRow result, ResultRow replica, long paramCount, boolean canonicalModel) {
    }

    /** Settings that may change at runtime. */
    public record Settings(LeaseTimeouts timeouts, double normFactor, long retryAfterMillis) {
    }

    /** The answer to a result: the admission's verdict and reason, the credit when accepted, and its replay if it gets one. */
    public record Outcome(ResultAdmission.Verdict verdict, String message, double credit, PendingCheck check) {

        public Outcome(ResultAdmission.Verdict verdict, String message, double credit) {
            this(verdict, message, credit, null);
        }

        public TaskReply.Kind kind() {
            return verdict.kind();
        }
    }

    /** A project's live figures. */
    public record Live(ProjectRow row, int contributors, int resultsThisRound, int tasksThisRound, List<LeaseRow> leases,
            double etaSeconds) {
    }

    final RoundCloser closer;
    private final AsyncUpdates async = new AsyncUpdates(this);
    /** In issue order, so that a burst of leases adds to the end of the leases table's index instead of to a thousand random pages. */
    private final LeaseIds leaseIds = new LeaseIds();
    private final Supplier<String> blobBaseUrl;
    private volatile Settings settings;
    private volatile CheckPolicy checks = CheckPolicy.OFF;
    private final RoundClosing closing = new RoundClosing(this);

    public Scheduler(Database db, Settings settings, LongSupplier clock, RoundCloser closer, Listener listener, Supplier<String> blobBaseUrl) {
        super(new SchedulerJournal(db), clock, listener);
        this.settings = settings;
        this.closer = closer;
        this.blobBaseUrl = blobBaseUrl;
    }

    /** What each provider's live leases let it fetch and send (read on any thread). */
    public LeaseGrants grants() {
        return grants;
    }

    /** {@link LeaseGrants#forgiveMissingUpload} now. */
    public boolean forgiveMissingUpload(String providerId, String leaseId) {
        return grants.forgiveMissingUpload(providerId, leaseId, clock.getAsLong());
    }

    public Settings settings() {
        return settings;
    }

    public void configure(Settings newSettings) {
        this.settings = newSettings;
    }

    /** How results are verified from now on ({@link CheckPolicy#OFF}: not at all). */
    public void checkWith(CheckPolicy policy) {
        this.checks = policy;
    }

    CheckPolicy checkPolicy() {
        return checks;
    }

    /** Where async-queue projects apply their queued updates (a thread of their own by default; tests run them in line). */
    public void applyWith(java.util.concurrent.Executor executor) {
        async.applyWith(executor);
    }

    /**
     * Rebuilds the in-memory state from the database. A round whose results were all committed
     * before a crash but whose new version was not is closed now.
     */
    public synchronized void load() throws SQLException {
        List.copyOf(runs.keySet()).forEach(this::forget);
        grants.clear();
        runs.putAll(journal.load(clock.getAsLong()));
        runs.values().forEach(run -> {
            remember(run.row);
            run.active.grantIn(grants, run::grant);
        });
        grants.inheritAll();
        for (ProjectRun run : List.copyOf(runs.values())) {
            if (run.async()) {
                async.resume(run);
            } else if (run.row.state() != ProjectState.PREPARING && run.roundComplete()) {
                LOG.info("Project {}: round {} had all its results before the restart; closing it now", run.row.id(), run.row.round());
                closeRound(run);
            }
        }
    }

    /**
     * A task for {@code providerId}, if any project has one it may take: the project is running,
     * has fewer than max contributors (or the provider is one of them), and its round has a shard
     * neither done nor leased. A provider asking again while it holds a lease gets the same lease
     * back (its first answer may have been lost).
     */
    public synchronized Optional<Task> lease(String providerId, long maxParams) throws SQLException {
        long now = clock.getAsLong();
        for (ProjectRun run : runs.values()) {
            if (run.row.state() != ProjectState.RUNNING || (maxParams > 0 && run.row.paramCount() > maxParams)) {
                continue;
            }
            Optional<LeaseRow> held = run.heldBy(providerId);
            if (held.isPresent()) {
                return Optional.of(run.task(held.get(), blobBaseUrl.get()));
            }
            LeaseRow lease = run.contributors().size() >= run.row.spec().maxContributors() ? null : run.newLease(
                    leaseIds.next(now), providerId, now,
                    now + run.leaseTimeout(settings.timeouts()));
            if (lease == null) {
                continue;
            }
            journal.leased(lease);
            run.active.put(lease.id(), lease);
            return Optional.of(run.task(lease, blobBaseUrl.get()));
        }
        return Optional.empty();
    }

    /** {@link SchedulerJournal#writeLeaseEnds}: for when the task exchange is idle; decisions go on meanwhile (no scheduler lock). */
    public boolean writeLeaseEnds(int most) throws SQLException {
        return journal.writeLeaseEnds(most);
    }

    /** Takes a result whose delta was read and found sound, with its L2 norm. */
    public Outcome submit(String providerId, TaskResult result, double norm) throws Exception {
        return submit(providerId, result, Delta.ok(norm));
    }

    /**
     * Takes a result whose delta the intake has read (and found sound or not). Accepted results
     * are committed with their credit before this returns; the round closes when its last result
     * arrives.
     */
    public synchronized Outcome submit(String providerId, TaskResult result, Delta delta) throws Exception {
        ProjectRun run = runs.get(result.projectId());
        if (run != null && run.async()) {
            return async.submit(run, providerId, result, delta);
        }
        ResultRow first = run == null ? null : run.replicas.get(result.shard());
        if (first != null && result.round() == run.row.round() && !first.providerId().equals(providerId)) {
            return replica(run, first, providerId, result, delta);
        }
        Admission admission = ResultAdmission.decide(facts(run, result, -1), providerId, result, delta);
        if (admission.verdict() != ResultAdmission.Verdict.ACCEPT) {
            return new Outcome(admission.verdict(), admission.reason(), 0);
        }
        ProjectRow row = run.row;
        long now = clock.getAsLong();
        LeaseRow lease = lease(run, result.leaseId()); // admitted: the sender's, live or lapsed
        long leaseMillis = lease != null ? now - lease.issuedAt() : now - run.roundStartedAt;
        ResultRow accepted = new ResultRow(row.id(), row.round(), result.shard(), providerId, result.leaseId(), result.delta(),
                result.samples(), result.loss(), result.accuracy(), result.seconds(), delta.norm(), leaseMillis, now, result.threadCount(),
                result.runtimeOrNull());
        double credit = run.credit(result.samples());
        List<LeaseRow> shardLeases = run.active.onShard(result.shard());
        Verification check = checks.select(providerId);
        journal.acceptedInRound(accepted, credit, shardLeases, check, now);
        shardLeases.forEach(l -> run.active.remove(l.id()));
        run.accepted.put(result.shard(), accepted);
        run.leaseTook(leaseMillis);
        if (check == Verification.NONE) {
            // a result waiting for its check joins the norm statistics only once it passed: unchecked attackers
            // must not set the yardstick honest updates are measured by
            ProjectRun.remember(run.norms, delta.norm());
        }
        if (check == Verification.REPLICA) {
            run.checking.add(result.shard());
            run.replicas.put(result.shard(), accepted); // offered to another volunteer once the round has no open shard
            tasksMayAppear();
        } else if (check == Verification.REPLAY) {
            run.checking.add(result.shard());
        } else if (run.roundComplete()) {
            closeRound(run);
        }
        return new Outcome(admission.verdict(), admission.reason(), credit, check == Verification.REPLAY ? run.check(accepted, null) : null);
    }

    /**
     * A second volunteer's result for a replicated task: admitted as the task's first result
     * would be (its own live lease, samples, a sound update), credited, and handed to the
     * comparison; the round waits for it.
     */
    private Outcome replica(ProjectRun run, ResultRow first, String providerId, TaskResult result, Delta delta) throws SQLException {
        Admission admission = ResultAdmission.decide(facts(run, result, result.shard()), providerId, result, delta);
        if (admission.verdict() != ResultAdmission.Verdict.ACCEPT) {
            return new Outcome(admission.verdict(), admission.reason(), 0);
        }
        long now = clock.getAsLong();
        LeaseRow lease = lease(run, result.leaseId());
        ResultRow second = new ResultRow(run.row.id(), result.round(), result.shard(), providerId, result.leaseId(), result.delta(),
                result.samples(), result.loss(), result.accuracy(), result.seconds(), delta.norm(), now - lease.issuedAt(), now,
                result.threadCount(), result.runtimeOrNull());
        double credit = run.credit(result.samples());
        journal.replicaAccepted(first, second, credit, lease, now);
        run.active.remove(lease.id());
        run.replicas.remove(result.shard());
        run.seconds.put(result.shard(), second);
        return new Outcome(admission.verdict(), admission.reason(), credit, run.check(first, second));
    }

    /** The results waiting for their replay (after a restart: the ones that were waiting before it). */
    public synchronized List<PendingCheck> pendingChecks() {
        List<PendingCheck> pending = new ArrayList<>();
        for (ProjectRun run : runs.values()) {
            run.asyncChecks.forEach(result -> pending.add(run.check(result, null)));
            run.checking.stream().sorted().filter(shard -> !run.replicas.containsKey(shard)) // those wait for a second volunteer
                    .forEach(shard -> pending.add(run.check(run.accepted.get(shard), run.seconds.get(shard))));
        }
        return pending;
    }

    /**
     * A replay's outcome. A result that passed (or could not be replayed: {@code passed} with
     * state UNCHECKED) counts, and may complete its round; one that failed is taken back with its
     * credit and its task is offered again.
     */
    public synchronized void checked(PendingCheck check, boolean passed, String state) throws SQLException {
        ResultRow result = check.result();
        ProjectRun run = runs.get(result.projectId());
        boolean waiting = run != null && run.row.round() == result.round() && run.checking.contains(result.shard())
                && result.equals(run.accepted.get(result.shard()));
        journal.checked(result, state, !passed);
        if (run != null) {
            run.asyncChecks.remove(result);
        }
        if (!waiting) {
            return;
        }
        run.checking.remove(result.shard());
        run.seconds.remove(result.shard());
        if (!passed) {
            run.accepted.remove(result.shard());
            run.reopened();
            tasksMayAppear();
            LOG.warn("Project {}: the result of provider {} for round {} shard {} was taken back with its credit; the task is offered again",
                    run.row.id(), result.providerId(), result.round(), result.shard());
            return;
        }
        ProjectRun.remember(run.norms, result.norm());
        if (run.roundComplete()) {
            closeRound(run);
        }
    }

    /** The replicated task's second result passed the comparison (or the replay that settled it), or is taken back with its credit. */
    public synchronized void replicaChecked(PendingCheck check, boolean passed) throws SQLException {
        journal.replicaChecked(check.replica(), passed);
    }

    /** The facts for a result's admission; {@code replicaShard} (else -1) is admitted as if nobody had done it yet. */
    Facts facts(ProjectRun run, TaskResult result, int replicaShard) throws SQLException {
        if (run == null) {
            return journal.storedState(result.projectId()).map(state -> Facts.finished(result.projectId(), state))
                    .orElseGet(() -> Facts.unknown(result.projectId()));
        }
        SchedulerJournal.DeltaSeen seen = journal.deltaSeen(run.row, result);
        return run.facts(seen.acceptedEarlier(), seen.copied(), settings.normFactor(), lease(run, result.leaseId()), replicaShard,
                result.round());
    }

    /** Whether unfinished project {@code projectId} has accepted (and committed) a result carrying delta {@code delta}. */
    public boolean acceptedDelta(String projectId, String delta) throws SQLException {
        return journal.acceptedDelta(projectId, delta);
    }

    /** The lease a result names: live ones are at hand, ended ones are in the database. */
    LeaseRow lease(ProjectRun run, String leaseId) throws SQLException {
        if (leaseId == null || leaseId.isBlank()) {
            return null;
        }
        LeaseRow live = run.active.get(leaseId);
        return live != null ? live : journal.lease(leaseId).orElse(null);
    }

    /** A round has all its results: {@link RoundClosing} makes its next version off the lock. */
    void closeRound(ProjectRun run) {
        closing.start(run);
    }

    /** Closes again the complete rounds whose close could not be stored (a database that failed for a moment). */
    public void closeWaitingRounds() {
        closing.closeWaiting();
    }

    /**
     * Where rounds' next versions are made: in line by default (under the lock: tests), on the
     * coordinator's round-closing threads in the product.
     */
    public void closeRoundsWith(Executor executor) {
        closing.closeWith(executor);
    }
}
