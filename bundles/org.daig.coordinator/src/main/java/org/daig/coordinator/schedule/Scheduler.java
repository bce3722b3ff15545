package org.daig.coordinator.schedule;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rounds of K-batch synchronous SGD for every project: leases tasks, takes results,
 * closes rounds. Every decision is committed to the database before it is answered, and the whole
 * state can be rebuilt from the database ({@link #load()}), so a coordinator killed at any point
 * carries on where it was after a restart.
 *
 * <p>Decisions are serialized (one lock): they are small, and it keeps the rules easy to check.
 * What takes long (reading deltas, validation, evaluation, export) happens outside, except for
 * the aggregation at the end of a round, which is the round's transition.
 */
public final class Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final int RECENT = 20;

    /** Makes a round's new parameters from the current ones and the round's results (in shard order). */
    public interface RoundCloser {
        String aggregate(ProjectRow project, String currentParams, List<ResultRow> results) throws Exception;
    }

    /** Hears about new versions and state changes (after they are committed). */
    public interface Listener {
        void versionCreated(ProjectRow project, VersionRow version);

        default void stateChanged(ProjectRow project) {
        }
    }

    /** Settings that may change at runtime. */
    public record Settings(LeaseTimeouts timeouts, double normFactor, long retryAfterMillis) {
    }

    /** The answer to a result, with the credit when accepted. */
    public record Outcome(TaskReply.Kind kind, String message, double credit) {
    }

    /** What is in memory for a project that is not finished. */
    private static final class Run {
        ProjectRow row;
        List<ShardRow> shards = List.of();
        RoundPlan plan;
        int[] roundShards = new int[0];
        final Map<Integer, ResultRow> accepted = new LinkedHashMap<>();
        final Map<String, LeaseRow> active = new LinkedHashMap<>();
        final Deque<Long> leaseMillis = new ArrayDeque<>();
        final Deque<Double> norms = new ArrayDeque<>();
        final Deque<Long> roundMillis = new ArrayDeque<>();
        String currentParams;
        long roundStartedAt;
    }

    private final Database db;
    private final LongSupplier clock;
    private final RoundCloser closer;
    private final Listener listener;
    private final Supplier<String> blobBaseUrl;
    private volatile Settings settings;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    public Scheduler(Database db, Settings settings, LongSupplier clock, RoundCloser closer, Listener listener, Supplier<String> blobBaseUrl) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.closer = closer;
        this.listener = listener;
        this.blobBaseUrl = blobBaseUrl;
    }

    public Settings settings() {
        return settings;
    }

    public void configure(Settings newSettings) {
        this.settings = newSettings;
    }

    /**
     * Rebuilds the in-memory state from the database: projects not finished, their round's
     * results, their active leases. A round whose results were all committed before a crash but
     * whose new version was not is closed now.
     */
    public synchronized void load() throws SQLException {
        runs.clear();
        db.transaction(c -> {
            for (ProjectRow row : ProjectStore.projects(c)) {
                if (row.state().isFinal()) {
                    continue;
                }
                Run run = new Run();
                run.row = row;
                run.plan = plan(row.spec());
                if (row.state() != ProjectState.PREPARING) {
                    run.shards = ProjectStore.shards(c, row.id());
                    List<VersionRow> versions = ProjectStore.versions(c, row.id());
                    run.currentParams = versions.get(versions.size() - 1).paramsBlob();
                    for (VersionRow v : versions) {
                        if (v.version() > 0) {
                            remember(run.roundMillis, v.roundMillis());
                        }
                    }
                    List<ResultRow> recent = ProjectStore.recentResults(c, row.id(), RECENT);
                    for (int i = recent.size() - 1; i >= 0; i--) {
                        remember(run.leaseMillis, recent.get(i).leaseMillis());
                        remember(run.norms, recent.get(i).norm());
                    }
                    startRound(run, row.round());
                    for (ResultRow r : ProjectStore.results(c, row.id(), row.round())) {
                        run.accepted.put(r.shard(), r);
                    }
                }
                runs.put(row.id(), run);
            }
            for (LeaseRow lease : ProjectStore.activeLeases(c)) {
                Run run = runs.get(lease.projectId());
                if (run != null && lease.round() == run.row.round()) {
                    run.active.put(lease.id(), lease);
                } else {
                    ProjectStore.endLease(c, lease.id(), LeaseState.SUPERSEDED, clock.getAsLong());
                }
            }
            return null;
        });
        for (Run run : List.copyOf(runs.values())) {
            if (run.row.state() != ProjectState.PREPARING && run.accepted.size() == run.roundShards.length) {
                LOG.info("Project {}: round {} had all its results before the restart; closing it now", run.row.id(), run.row.round());
                closeRound(run);
            }
        }
    }

    private static RoundPlan plan(ProjectSpec spec) {
        return new RoundPlan(spec.totalTasks(), spec.taskSize(), spec.passes(), spec.seed());
    }

    private void startRound(Run run, int round) {
        run.roundShards = round < run.plan.totalRounds() ? run.plan.shards(round) : new int[0];
        run.accepted.clear();
        run.roundStartedAt = clock.getAsLong();
    }

    /** Creates a project in state PREPARING; the caller prepares it, then calls {@link #prepared}. */
    public synchronized ProjectRow create(ProjectSpec spec) throws SQLException {
        String id = "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ProjectRow row = new ProjectRow(id, spec, ProjectState.PREPARING, null, 0, 0, 0, null, null, 0, plan(spec).totalRounds(),
                clock.getAsLong());
        db.transaction(c -> {
            ProjectStore.insertProject(c, row);
            return null;
        });
        Run run = new Run();
        run.row = row;
        run.plan = plan(spec);
        runs.put(id, run);
        return row;
    }

    /** Stores the shards and the initial version (0) of a prepared project and starts its first round. */
    public synchronized ProjectRow prepared(String id, long params, long trainRows, long validationRows, String validationX,
            String validationY, List<ShardRow> shards, String initialParams) throws SQLException {
        Run run = requireRun(id);
        if (run.row.state() != ProjectState.PREPARING) {
            return run.row;
        }
        ProjectRow row = run.row.prepared(params, trainRows, validationRows, validationX, validationY).withState(ProjectState.RUNNING, null);
        long now = clock.getAsLong();
        VersionRow initial = new VersionRow(id, 0, initialParams, now, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0);
        db.transaction(c -> {
            ProjectStore.savePreparation(c, row, shards);
            ProjectStore.insertVersion(c, initial);
            ProjectStore.updateState(c, id, ProjectState.RUNNING, null);
            return null;
        });
        run.row = row;
        run.shards = List.copyOf(shards);
        run.currentParams = initialParams;
        startRound(run, 0);
        listener.versionCreated(row, initial);
        listener.stateChanged(row);
        return row;
    }

    /** Marks a project failed (e.g. preparation went wrong), with the reason for its requestor. */
    public synchronized void fail(String id, String message) throws SQLException {
        setState(requireRun(id), ProjectState.FAILED, message);
    }

    /**
     * A task for {@code providerId}, if any project has one it may take: the project is running,
     * has fewer than max contributors (or the provider is one of them), and its round has a shard
     * neither done nor leased. A provider asking again while it holds a lease gets the same lease
     * back (its first answer may have been lost).
     */
    public synchronized Optional<Task> lease(String providerId, long maxParams) throws SQLException {
        long now = clock.getAsLong();
        for (Run run : runs.values()) {
            if (run.row.state() != ProjectState.RUNNING || (maxParams > 0 && run.row.paramCount() > maxParams)) {
                continue;
            }
            Set<String> contributors = contributors(run);
            for (LeaseRow held : run.active.values()) {
                if (held.providerId().equals(providerId)) {
                    return Optional.of(task(run, held));
                }
            }
            if (contributors.size() >= run.row.spec().maxContributors()) {
                continue;
            }
            Integer shard = openShard(run);
            if (shard == null) {
                continue;
            }
            LeaseRow lease = new LeaseRow("l" + UUID.randomUUID().toString().replace("-", "").substring(0, 16), run.row.id(),
                    run.row.round(), shard, providerId, now, now + settings.timeouts().timeoutMillis(run.leaseMillis), LeaseState.ACTIVE);
            db.transaction(c -> {
                ProjectStore.insertLease(c, lease);
                return null;
            });
            run.active.put(lease.id(), lease);
            return Optional.of(task(run, lease));
        }
        return Optional.empty();
    }

    private static Set<String> contributors(Run run) {
        Set<String> providers = new HashSet<>();
        for (LeaseRow l : run.active.values()) {
            providers.add(l.providerId());
        }
        return providers;
    }

    /** A shard of the round that is neither accepted nor leased right now. */
    private static Integer openShard(Run run) {
        Set<Integer> leased = new HashSet<>();
        for (LeaseRow l : run.active.values()) {
            leased.add(l.shard());
        }
        for (int shard : run.roundShards) {
            if (!run.accepted.containsKey(shard) && !leased.contains(shard)) {
                return shard;
            }
        }
        return null;
    }

    private Task task(Run run, LeaseRow lease) {
        ShardRow shard = run.shards.get(lease.shard());
        ProjectSpec spec = run.row.spec();
        return new Task(lease.id(), run.row.id(), lease.round(), lease.shard(), lease.round(), spec.model(), run.currentParams,
                shard.x(), shard.y(), shard.rows(), spec.epochs(), spec.batchSize(), run.plan.taskSeed(lease.round(), lease.shard()),
                lease.deadline(), blobBaseUrl.get());
    }

    /** The parameter count a project's deltas must have, or -1 for an unknown project. */
    public synchronized long paramCount(String projectId) {
        Run run = runs.get(projectId);
        return run == null ? -1 : run.row.paramCount();
    }

    /**
     * Takes a result whose delta was already read and checked for length and NaN/Inf (norm =
     * its L2 norm). Accepted results are committed with their credit before this returns; the
     * round closes when its last result arrives.
     */
    public synchronized Outcome submit(String providerId, TaskResult result, double norm) throws Exception {
        Run run = runs.get(result.projectId());
        if (run == null) {
            return finishedOrUnknown(result.projectId());
        }
        ProjectRow row = run.row;
        if (row.state() == ProjectState.PREPARING) {
            return new Outcome(TaskReply.Kind.UNKNOWN, "project " + row.id() + " has no tasks yet", 0);
        }
        if (result.round() > row.round() || result.round() < 0 || result.shard() < 0 || result.shard() >= row.spec().totalTasks()) {
            return new Outcome(TaskReply.Kind.UNKNOWN, "project " + row.id() + " has no task for round " + result.round() + ", shard "
                    + result.shard(), 0);
        }
        if (result.round() < row.round() && wasAccepted(row.id(), result)) {
            return new Outcome(TaskReply.Kind.DUPLICATE, "shard " + result.shard() + " of round " + result.round() + " was already accepted", 0);
        }
        if (result.round() < row.round() || result.version() != row.round()) {
            return new Outcome(TaskReply.Kind.STALE, "round " + result.round() + " (version " + result.version()
                    + ") is over; the project is at version " + row.round(), 0);
        }
        if (!contains(run.roundShards, result.shard())) {
            return new Outcome(TaskReply.Kind.UNKNOWN, "shard " + result.shard() + " is not part of round " + row.round(), 0);
        }
        ResultRow previous = run.accepted.get(result.shard());
        if (previous != null) {
            return new Outcome(TaskReply.Kind.DUPLICATE, "shard " + result.shard() + " of round " + row.round()
                    + " was already accepted" + (previous.providerId().equals(providerId) ? "" : " from another provider"), 0);
        }
        long expectedRows = run.shards.get(result.shard()).rows();
        if (result.samples() != expectedRows) {
            return refuse(providerId, row, result, "it reports " + result.samples() + " samples but shard " + result.shard() + " has "
                    + expectedRows + " rows");
        }
        double median = LeaseTimeouts.median(run.norms);
        if (run.norms.size() >= 3 && norm > settings.normFactor() * median) {
            return refuse(providerId, row, result, String.format("its update norm %.4g is more than %.0f× the median %.4g of recent updates",
                    norm, settings.normFactor(), median));
        }
        long now = clock.getAsLong();
        LeaseRow lease = findLease(run, result.leaseId());
        long leaseMillis = lease != null ? now - lease.issuedAt() : now - run.roundStartedAt;
        ResultRow accepted = new ResultRow(row.id(), row.round(), result.shard(), providerId, result.leaseId(), result.delta(),
                result.samples(), result.loss(), result.accuracy(), result.seconds(), norm, leaseMillis, now);
        double credit = credit(row, result.samples());
        List<LeaseRow> ended = new ArrayList<>();
        for (LeaseRow l : run.active.values()) {
            if (l.shard() == result.shard()) {
                ended.add(l);
            }
        }
        db.transaction(c -> {
            ProjectStore.insertResult(c, accepted, credit);
            for (LeaseRow l : ended) {
                ProjectStore.endLease(c, l.id(), l.id().equals(result.leaseId()) ? LeaseState.COMPLETED : LeaseState.SUPERSEDED, now);
            }
            return null;
        });
        ended.forEach(l -> run.active.remove(l.id()));
        run.accepted.put(result.shard(), accepted);
        remember(run.leaseMillis, leaseMillis);
        remember(run.norms, norm);
        if (run.accepted.size() == run.roundShards.length) {
            closeRound(run);
        }
        return new Outcome(TaskReply.Kind.ACCEPTED, "accepted", credit);
    }

    /**
     * Credit for a task: its training work in TFLOP, estimated as 6 FLOPs per parameter per
     * sample per epoch (forward and backward pass).
     */
    static double credit(ProjectRow row, long samples) {
        return 6.0 * row.paramCount() * samples * row.spec().epochs() / 1e12;
    }

    private Outcome refuse(String providerId, ProjectRow row, TaskResult result, String why) {
        LOG.warn("Refused a result from provider {} for project {} round {} shard {}: {}", providerId, row.id(), result.round(),
                result.shard(), why);
        return new Outcome(TaskReply.Kind.REFUSED, why, 0);
    }

    private Outcome finishedOrUnknown(String projectId) throws SQLException {
        boolean known = db.transaction(c -> ProjectStore.projects(c).stream().anyMatch(p -> p.id().equals(projectId)));
        return known ? new Outcome(TaskReply.Kind.STALE, "project " + projectId + " is finished", 0)
                : new Outcome(TaskReply.Kind.UNKNOWN, "no project " + projectId, 0);
    }

    private boolean wasAccepted(String projectId, TaskResult result) throws SQLException {
        return db.transaction(c -> ProjectStore.results(c, projectId, result.round()).stream()
                .anyMatch(r -> r.shard() == result.shard() && r.deltaBlob().equals(result.delta())));
    }

    private static LeaseRow findLease(Run run, String leaseId) {
        return leaseId == null ? null : run.active.get(leaseId);
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /** Aggregates the round's results into the next version and starts the next round (or completes the project). */
    private void closeRound(Run run) throws SQLException {
        ProjectRow row = run.row;
        List<ResultRow> results = new ArrayList<>(run.accepted.values());
        results.sort((a, b) -> Integer.compare(a.shard(), b.shard()));
        String params;
        try {
            params = closer.aggregate(row, run.currentParams, results);
        } catch (Exception e) {
            LOG.error("Project {}: aggregating round {} failed: {}", row.id(), row.round(), e.toString());
            setState(run, ProjectState.FAILED, "aggregating round " + row.round() + " failed: " + e.getMessage());
            return;
        }
        long now = clock.getAsLong();
        long samples = 0;
        double weightedLoss = 0;
        Set<String> providers = new HashSet<>();
        for (ResultRow r : results) {
            samples += r.samples();
            weightedLoss += r.loss() * r.samples();
            providers.add(r.providerId());
        }
        int next = row.round() + 1;
        VersionRow version = new VersionRow(row.id(), next, params, now, samples, samples == 0 ? Double.NaN : weightedLoss / samples,
                Double.NaN, Double.NaN, providers.size(), now - run.roundStartedAt);
        boolean done = next >= row.totalRounds();
        List<LeaseRow> leftovers = List.copyOf(run.active.values());
        db.transaction(c -> {
            ProjectStore.insertVersion(c, version);
            ProjectStore.updateRound(c, row.id(), next);
            for (LeaseRow l : leftovers) {
                ProjectStore.endLease(c, l.id(), LeaseState.SUPERSEDED, now);
            }
            if (done) {
                ProjectStore.updateState(c, row.id(), ProjectState.COMPLETED, null);
            }
            return null;
        });
        run.active.clear();
        run.currentParams = params;
        remember(run.roundMillis, version.roundMillis());
        run.row = done ? row.withRound(next).withState(ProjectState.COMPLETED, null) : row.withRound(next);
        startRound(run, next);
        LOG.info("Project {}: round {} of {} closed, version {} from {} results ({} providers)", row.id(), next, row.totalRounds(), next,
                results.size(), providers.size());
        if (done) {
            runs.remove(row.id());
            LOG.info("Project {} completed", row.id());
        }
        listener.versionCreated(run.row, version);
        if (done) {
            listener.stateChanged(run.row);
        }
    }

    /** A provider gives a lease back: the task is offered again at once. */
    public synchronized boolean release(String providerId, String leaseId, String reason) throws SQLException {
        for (Run run : runs.values()) {
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
        int count = 0;
        for (Run run : runs.values()) {
            List<LeaseRow> held = run.active.values().stream().filter(l -> l.providerId().equals(providerId)).toList();
            endLeases(run, held, LeaseState.EXPIRED);
            count += held.size();
        }
        if (count > 0) {
            LOG.info("Provider {} went offline; its {} task(s) will be offered again", providerId, count);
        }
        return count;
    }

    /** Ends leases past their deadline; returns how many. Called about once a second. */
    public synchronized int expire() throws SQLException {
        long now = clock.getAsLong();
        int count = 0;
        for (Run run : runs.values()) {
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

    private void endLeases(Run run, List<LeaseRow> leases, LeaseState state) throws SQLException {
        if (leases.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        db.transaction(c -> {
            for (LeaseRow l : leases) {
                ProjectStore.endLease(c, l.id(), state, now);
            }
            return null;
        });
        leases.forEach(l -> run.active.remove(l.id()));
    }

    public synchronized ProjectRow pause(String id) throws SQLException {
        Run run = requireRun(id);
        if (run.row.state() == ProjectState.RUNNING) {
            setState(run, ProjectState.PAUSED, null);
        }
        return run.row;
    }

    public synchronized ProjectRow resume(String id) throws SQLException {
        Run run = requireRun(id);
        if (run.row.state() == ProjectState.PAUSED) {
            setState(run, ProjectState.RUNNING, null);
        }
        return run.row;
    }

    /** Cancels a project for good; its running tasks' results will be refused as stale. */
    public synchronized ProjectRow cancel(String id) throws SQLException {
        Run run = requireRun(id);
        endLeases(run, List.copyOf(run.active.values()), LeaseState.CANCELLED);
        setState(run, ProjectState.CANCELLED, null);
        return run.row;
    }

    private void setState(Run run, ProjectState state, String message) throws SQLException {
        db.transaction(c -> {
            ProjectStore.updateState(c, run.row.id(), state, message);
            if (state.isFinal()) {
                for (LeaseRow l : run.active.values()) {
                    ProjectStore.endLease(c, l.id(), LeaseState.CANCELLED, clock.getAsLong());
                }
            }
            return null;
        });
        run.row = run.row.withState(state, message);
        if (state.isFinal()) {
            run.active.clear();
            runs.remove(run.row.id());
        }
        LOG.info("Project {} is now {}{}", run.row.id(), state, message == null ? "" : ": " + message);
        listener.stateChanged(run.row);
    }

    private Run requireRun(String id) throws SQLException {
        Run run = runs.get(id);
        if (run == null) {
            boolean known = db.transaction(c -> ProjectStore.projects(c).stream().anyMatch(p -> p.id().equals(id)));
            throw new IllegalStateException(known ? "project " + id + " is already finished" : "no project " + id);
        }
        return run;
    }

    /** Live figures of a project that is not finished; empty for finished or unknown ones. */
    public synchronized Optional<Live> live(String id) {
        Run run = runs.get(id);
        if (run == null) {
            return Optional.empty();
        }
        double avgRound = run.roundMillis.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        double eta = Double.isNaN(avgRound) ? -1 : avgRound * (run.row.totalRounds() - run.row.round()) / 1000.0;
        return Optional.of(new Live(run.row, contributors(run).size(), run.accepted.size(), run.roundShards.length,
                List.copyOf(run.active.values()), eta));
    }

    /** A project's live figures. */
    public record Live(ProjectRow row, int contributors, int resultsThisRound, int tasksThisRound, List<LeaseRow> leases,
            double etaSeconds) {
    }

    /** Every active lease, for operators. */
    public synchronized List<LeaseRow> activeLeases() {
        List<LeaseRow> all = new ArrayList<>();
        runs.values().forEach(r -> all.addAll(r.active.values()));
        return all;
    }

    private static <T> void remember(Deque<T> recent, T value) {
        recent.addLast(value);
        while (recent.size() > RECENT) {
            recent.removeFirst();
        }
    }
}
