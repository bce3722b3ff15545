package org.daig.coordinator.schedule;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.wire.ParamsDiff;
import org.daig.wire.UpdateCodec;

/**
 * What the scheduler keeps in memory for a project that is not finished: its round, the round's
 * accepted results and active leases, and recent figures (lease times, update norms, round
 * times) for deadlines, outlier checks and the ETA. Guarded by the scheduler's lock.
 */
final class ProjectRun {

    /** How many recent figures are kept. */
    static final int RECENT = 20;

    /**
     * How results become versions: in rounds of K (K-batch sync), or one version per update, applied
     * as it arrives (async-apply) or queued and applied after the provider has its answer
     * (async-queue), or queued and applied several at once, concurrently (async-lockfree).
     */
    enum Pacing {
        ROUNDS, APPLY, QUEUE, LOCKFREE;

        static Pacing of(ProjectSpec spec) {
            String name = spec.strategy() == null ? "" : spec.strategy().split("/", 2)[0].trim();
            return switch (name) {
            case AsyncUpdates.APPLY -> APPLY;
            case AsyncUpdates.QUEUE -> QUEUE;
            case AsyncUpdates.LOCKFREE -> LOCKFREE;
            default -> ROUNDS;
            };
        }
    }

    ProjectRow row;
    final Pacing pacing;
    final RoundPlan plan;
    /** Asynchronous: who delivered each accepted task (by its index in the plan). */
    final Map<Integer, String> doneBy = new HashMap<>();
    /** async-queue and async-lockfree: accepted updates waiting to be applied, oldest first. */
    final Deque<ResultRow> queued = new ArrayDeque<>();
    /** Asynchronous: accepted results whose replay has not reported yet (they count meanwhile). */
    final List<ResultRow> asyncChecks = new java.util.ArrayList<>();
    /** async-lockfree: a batch of the queue is being applied outside the scheduler's lock. */
    boolean applying;
    /** Rounds: the round has all its results and its next version is being made outside the scheduler's lock. */
    boolean closing;
    /** Asynchronous: each live version's parameters as sent (a lease trains from the version it was given). */
    final Map<Integer, String> versionParams = new HashMap<>();
    /** The newest version's exact parameters, P(v): what the next version is aggregated from. */
    String currentParams;
    /** The newest version's parameters as providers get them, B(v) (P(v) unless the project is compressed). */
    String currentSent;
    /** Compressed projects: the differences D(v) of the last {@link ParamsDiff#MAX_CHAIN} versions, by version. */
    private final Map<Integer, String> diffs = new HashMap<>();
    long roundStartedAt;
    int[] roundShards = new int[0];
    /** Every shard before this position of {@link #roundShards} is accepted or leased: a lease looks from here (see {@link #reopened}). */
    private int openFrom;
    final Map<Integer, ResultRow> accepted = new LinkedHashMap<>();
    final ActiveLeases active = new ActiveLeases();
    /** Shards whose accepted result the coordinator is replaying: the round waits for them. */
    final Set<Integer> checking = new HashSet<>();
    /** Replicated shards whose first result waits for a second volunteer, by shard. */
    final Map<Integer, ResultRow> replicas = new LinkedHashMap<>();
    /** Second results of replicated shards waiting for the comparison, by shard. */
    final Map<Integer, ResultRow> seconds = new LinkedHashMap<>();
    private final Deque<Long> leaseMillis = new ArrayDeque<>();
    /** {@link #leaseTimeoutFor}'s timeout for {@link #leaseMillis}; -1 after a change. Every lease asks, results change it. */
    private long leaseTimeout = -1;
    private LeaseTimeouts leaseTimeoutFor;
    final Deque<Double> norms = new ArrayDeque<>();
    final Deque<Long> roundMillis = new ArrayDeque<>();
    private List<ShardRow> shards = List.of();
    private long[] shardRows = new long[0];

    /** A version is the newest now: its parameters, as computed and as sent. */
    void versionMade(VersionRow version) {
        currentParams = version.paramsBlob();
        currentSent = version.sentBlob();
        if (version.diffBlob() != null) {
            diffs.put(version.version(), version.diffBlob());
        }
        diffs.keySet().removeIf(v -> v <= version.version() - ParamsDiff.MAX_CHAIN);
        if (async()) {
            versionParams.put(version.version(), version.sentBlob());
        }
    }

    /**
     * The differences that lead to version {@code v}'s parameters as sent, oldest first: the longest
     * unbroken chain ending at {@code v} that is worth sending instead of the whole vector (none for
     * uncompressed projects).
     */
    List<String> diffsTo(int v) {
        int worth = ParamsDiff.worthSending(row.paramCount(), ParamsDiff.encodingFor(UpdateCodec.Compression.parse(row.spec().compression())));
        java.util.LinkedList<String> chain = new java.util.LinkedList<>();
        for (int j = v; j > 0 && chain.size() < worth && diffs.containsKey(j); j--) {
            chain.addFirst(diffs.get(j));
        }
        return List.copyOf(chain);
    }

    ProjectRun(ProjectRow row) {
        this.row = row;
        this.pacing = Pacing.of(row.spec());
        this.plan = plan(row.spec());
    }

    /** The rounds of K-batch sync; asynchronous strategies take tasks one by one (a "round" of one task per version). */
    static RoundPlan plan(ProjectSpec spec) {
        int k = Pacing.of(spec) == Pacing.ROUNDS ? spec.taskSize() : 1;
        return new RoundPlan(spec.totalTasks(), k, spec.passes(), spec.seed());
    }

    boolean async() {
        return pacing != Pacing.ROUNDS;
    }

    /**
     * A new lease for {@code providerId}, or null when nothing is open. K-batch sync: a shard of
     * the round. Asynchronous: the first task of the plan neither accepted nor leased, on the
     * current version.
     */
    LeaseRow newLease(String id, String providerId, long now, long deadline) {
        if (!async()) {
            Integer shard = openShard(providerId);
            return shard == null ? null : new LeaseRow(id, row.id(), row.round(), shard, providerId, now, deadline, LeaseState.ACTIVE);
        }
        Set<Integer> leased = new HashSet<>();
        active.values().forEach(l -> leased.add(l.round()));
        for (int task = 0; task < plan.totalRounds(); task++) {
            if (!doneBy.containsKey(task) && !leased.contains(task)) {
                return new LeaseRow(id, row.id(), task, plan.shards(task)[0], providerId, now, deadline, LeaseState.ACTIVE, row.round());
            }
        }
        return null;
    }

    /** Asynchronous: every task accepted and (async-queue) applied. */
    boolean allApplied() {
        return doneBy.size() >= plan.totalRounds() && queued.isEmpty();
    }

    void shards(List<ShardRow> all) {
        shards = List.copyOf(all);
        shardRows = all.stream().mapToLong(ShardRow::rows).toArray();
    }

    void startRound(int round, long now) {
        roundShards = round < plan.totalRounds() ? plan.shards(round) : new int[0];
        openFrom = 0;
        accepted.clear();
        checking.clear();
        replicas.clear();
        seconds.clear();
        roundStartedAt = now;
    }

    boolean roundComplete() {
        return accepted.size() == roundShards.length && checking.isEmpty();
    }

    /** A shard may be open again (a lease ended without a result, or a result was taken back): leases look from the start. */
    void reopened() {
        openFrom = 0;
    }

    Set<String> contributors() {
        return active.providers();
    }

    Optional<LeaseRow> heldBy(String providerId) {
        return active.heldBy(providerId).stream().findFirst();
    }

    /**
     * A shard of the round that is neither accepted nor leased right now; else a replicated shard
     * nobody holds whose first result came from another provider.
     */
    Integer openShard(String providerId) {
        // the shards before openFrom are taken, so a burst of leases at a round's start costs one pass, not one per lease
        for (int i = openFrom; i < roundShards.length; i++) {
            int shard = roundShards[i];
            if (!accepted.containsKey(shard) && !active.isLeased(shard)) {
                return shard;
            }
            if (i == openFrom) {
                openFrom++;
            }
        }
        for (Map.Entry<Integer, ResultRow> replica : replicas.entrySet()) {
            if (!active.isLeased(replica.getKey()) && !replica.getValue().providerId().equals(providerId)) {
                return replica.getKey();
            }
        }
        return null;
    }

    /** Who delivered each accepted result of the round. */
    /** The providers of the round's accepted results by shard, but {@code replicaShard}'s (a copy). */
    private Map<Integer, String> acceptedByExcept(int replicaShard) {
        Map<Integer, String> by = new LinkedHashMap<>();
        accepted.forEach((shard, result) -> by.put(shard, result.providerId()));
        by.remove(replicaShard);
        return by;
    }

    /** The live leases' holders by shard, the newest lease's where a shard has several (a copy). */
    private Map<Integer, String> holders() {
        Map<Integer, String> holders = new LinkedHashMap<>();
        active.values().forEach(l -> holders.put(l.shard(), l.providerId()));
        return holders;
    }

    /**
     * A read-through view of {@code copy()}'s map whose look-ups by shard cost one map look-up: a
     * result's admission looks up its own shard, and copying a round of ten thousand for each
     * result made the results of a round cost its size squared. Read under the scheduler's lock.
     */
    private static Map<Integer, String> byShard(IntFunction<String> lookUp,
            Supplier<Map<Integer, String>> copy) {
        return new AbstractMap<>() {
            @Override
            public String get(Object shard) {
                return shard instanceof Integer s ? lookUp.apply(s) : null;
            }

            @Override
            public boolean containsKey(Object shard) {
                return get(shard) != null;
            }

            @Override
            public Set<Entry<Integer, String>> entrySet() {
                return copy.get().entrySet(); // the rare paths: a lapsed lease's contributors
            }
        };
    }

    /** Seconds to the end of the project at the average round time so far; -1 before the first round closed. */
    double etaSeconds() {
        double avgRound = roundMillis.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        return Double.isNaN(avgRound) ? -1 : avgRound * (row.totalRounds() - row.round()) / 1000.0;
    }

    /**
     * Credit for a task: its training work in TFLOP, estimated as 6 FLOPs per parameter per
     * sample per epoch (forward and backward pass).
     */
    double credit(long samples) {
        return 6.0 * row.paramCount() * samples * row.spec().epochs() / 1e12;
    }

    /** The task a lease stands for. */
    Task task(LeaseRow lease, String blobBaseUrl) {
        ShardRow shard = shards.get(lease.shard());
        ProjectSpec spec = row.spec();
        // providers load the canonical form, never the requestor's .h5 (until the preparer has made it for an old project)
        String model = row.canonicalModel() != null ? row.canonicalModel() : spec.model();
        String params = async() ? versionParams.getOrDefault(lease.baseVersion(), currentSent) : currentSent;
        List<String> chain = diffsTo(lease.baseVersion());
        return new Task(lease.id(), row.id(), lease.round(), lease.shard(), lease.baseVersion(), model, params, shard.x(),
                shard.y(), shard.rows(), spec.epochs(), spec.batchSize(), plan.taskSeed(lease.round(), lease.shard()), lease.deadline(),
                blobBaseUrl, spec.compression(), chain.isEmpty() ? null : chain);
    }

    /**
     * What {@code lease} lets its provider fetch: the blobs its task names (the model in its
     * canonical form only, never the requestor's .h5), and a delta of this project's size to send.
     */
    LeaseGrants.Grant grant(LeaseRow lease) {
        Task task = task(lease, null);
        Set<String> blobs = new HashSet<>();
        for (String blob : new String[] { task.params(), task.x(), task.y(), row.canonicalModel() }) {
            if (blob != null) {
                blobs.add(blob);
            }
        }
        if (task.paramsDiffs() != null) {
            blobs.addAll(task.paramsDiffs());
        }
        return new LeaseGrants.Grant(lease.id(), lease.providerId(), row.id(), lease.issuedAt(), lease.deadline(), row.paramCount(), blobs);
    }

    /** An accepted result's check: the task it answered, as its provider got it, and the second result of a replicated one. */
    Scheduler.PendingCheck check(ResultRow result, ResultRow replica) {
        Task task = task(new LeaseRow(result.leaseId(), row.id(), result.round(), result.shard(), result.providerId(), result.acceptedAt(),
                result.acceptedAt(), LeaseState.COMPLETED, result.baseVersion()), null);
        return new Scheduler.PendingCheck(task, result, replica, row.paramCount(), row.canonicalModel() != null);
    }

    /**
     * What the admission rule needs to know of this run, for a result on {@code lease} (null: no
     * such lease); {@code replicaShard} (else -1) counts as not done yet: its second volunteer's result is admitted as the first was.
     */
    ResultAdmission.Facts facts(boolean acceptedEarlier, boolean copiedDelta, double normFactor, LeaseRow lease, int replicaShard,
            int task) {
        if (async()) {
            Map<Integer, String> holders = holders();
            // the result's task stands for the round; its holder is whoever holds that very task now
            boolean exists = task >= 0 && task < plan.totalRounds();
            int[] shards = exists ? plan.shards(task) : new int[0];
            active.values().stream().filter(l -> l.round() == task).forEach(l -> holders.put(l.shard(), l.providerId()));
            Map<Integer, String> by = exists && doneBy.containsKey(task) ? Map.of(shards[0], doneBy.get(task)) : Map.of();
            return new ResultAdmission.Facts(row.id(), row.state(), exists ? task : -1, row.spec().totalTasks(), shards, by, shardRows,
                    acceptedEarlier, copiedDelta, List.copyOf(norms), normFactor, lease, holders, row.spec().maxContributors(), row.round(),
                    row.spec().staleness());
        }
        Map<Integer, String> acceptedBy = byShard(shard -> {
            ResultRow r = shard == replicaShard ? null : accepted.get(shard);
            return r == null ? null : r.providerId();
        }, () -> acceptedByExcept(replicaShard));
        Map<Integer, String> holders = byShard(shard -> {
            List<LeaseRow> on = active.onShard(shard);
            return on.isEmpty() ? null : on.get(on.size() - 1).providerId();
        }, this::holders);
        return new ResultAdmission.Facts(row.id(), row.state(), row.round(), row.spec().totalTasks(), roundShards, acceptedBy,
                shardRows, acceptedEarlier, copiedDelta, List.copyOf(norms), normFactor, lease, holders, row.spec().maxContributors());
    }

    /** The version a round's results (in shard order) make, with its figures: samples, sample-weighted training loss, providers. */
    VersionRow nextVersion(String params, List<ResultRow> results, long now) {
        long samples = 0;
        double weightedLoss = 0;
        Set<String> providers = new HashSet<>();
        for (ResultRow r : results) {
            samples += r.samples();
            weightedLoss += r.loss() * r.samples();
            providers.add(r.providerId());
        }
        return new VersionRow(row.id(), row.round() + 1, params, now, samples, samples == 0 ? Double.NaN : weightedLoss / samples,
                Double.NaN, Double.NaN, providers.size(), now - roundStartedAt);
    }

    Scheduler.Live live() {
        // asynchronous: "the round" is the whole plan, one task per version
        return new Scheduler.Live(row, contributors().size(), async() ? doneBy.size() : accepted.size(),
                async() ? plan.totalRounds() : roundShards.length, List.copyOf(active.values()), etaSeconds());
    }

    /** How long a new lease of this project may last: {@code timeouts} applied to the recent lease times. */
    long leaseTimeout(LeaseTimeouts timeouts) {
        if (leaseTimeout < 0 || timeouts != leaseTimeoutFor) {
            leaseTimeout = timeouts.timeoutMillis(leaseMillis);
            leaseTimeoutFor = timeouts;
        }
        return leaseTimeout;
    }

    /** Notes how long an accepted result's lease took, for the next leases' timeout. */
    void leaseTook(long millis) {
        remember(leaseMillis, millis);
        leaseTimeout = -1;
    }

    static <T> void remember(Deque<T> recent, T value) {
        recent.addLast(value);
        while (recent.size() > RECENT) {
            recent.removeFirst();
        }
    }
}
