package org.daig.coordinator.schedule;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.api.project.ProjectState;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;

/**
 * Whether the scheduler takes a provider's result: every rule in one pure function, in the order
 * the rules apply, so the table in ResultAdmissionTest is the whole story. The first rule that
 * matches decides; only a result that passes them all is accepted.
 *
 * <p>A result counts only on a lease of the provider it came from (the topic it arrived on names
 * the provider, and the broker's ACL makes sure that is the sender), for that very task. A live
 * lease is enough; a lapsed one (its deadline passed, or the provider's connection dropped) still
 * counts when nobody else holds the shard now and the project stays within maxContributors: the
 * work of a slow volunteer is not thrown away, yet no result ever comes from someone the
 * coordinator did not give the task to.
 */
public final class ResultAdmission {

    private ResultAdmission() {
    }

    /** The decision, and the reply kind the provider gets for it. */
    public enum Verdict {
        NO_SUCH_PROJECT(TaskReply.Kind.UNKNOWN),
        PROJECT_FINISHED(TaskReply.Kind.STALE),
        BAD_DELTA(TaskReply.Kind.REFUSED),
        /** The coordinator's copy of the delta was lost (a power cut): not the provider's doing; it does the task again. */
        DELTA_LOST(TaskReply.Kind.STALE),
        NOT_PREPARED(TaskReply.Kind.UNKNOWN),
        NO_SUCH_TASK(TaskReply.Kind.UNKNOWN),
        ACCEPTED_EARLIER(TaskReply.Kind.DUPLICATE),
        ROUND_OVER(TaskReply.Kind.STALE),
        NOT_IN_ROUND(TaskReply.Kind.UNKNOWN),
        ALREADY_ACCEPTED(TaskReply.Kind.DUPLICATE),
        NO_LEASE(TaskReply.Kind.REFUSED),
        NOT_YOUR_LEASE(TaskReply.Kind.REFUSED),
        LEASE_ENDED(TaskReply.Kind.STALE),
        LEASE_LAPSED(TaskReply.Kind.STALE),
        WRONG_SAMPLES(TaskReply.Kind.REFUSED),
        COPIED_DELTA(TaskReply.Kind.REFUSED),
        ZERO_DELTA(TaskReply.Kind.REFUSED),
        OUTLIER_NORM(TaskReply.Kind.REFUSED),
        TOO_SMALL(TaskReply.Kind.REFUSED),
        ACCEPT(TaskReply.Kind.ACCEPTED);

        private final TaskReply.Kind kind;

        Verdict(TaskReply.Kind kind) {
            this.kind = kind;
        }

        public TaskReply.Kind kind() {
            return kind;
        }
    }

    /** A verdict with the reason the provider reads. */
    public record Admission(Verdict verdict, String reason) {

        public TaskReply.Kind kind() {
            return verdict.kind();
        }
    }

    /**
     * What the intake found reading the delta: its L2 norm, or what is wrong with it (null:
     * nothing); {@code lost}: what is wrong is that the coordinator lost the bytes it stored.
     */
    public record Delta(double norm, String problem, boolean lost) {

        public static Delta ok(double norm) {
            return new Delta(norm, null, false);
        }

        public static Delta refused(String problem) {
            return new Delta(0, problem, false);
        }

        public static Delta lost(String problem) {
            return new Delta(0, problem, true);
        }
    }

    /**
     * What the scheduler knows of the result's project when the result arrives.
     *
     * @param state           null for a project the coordinator never had
     * @param acceptedBy      the providers of the current round's accepted results, by shard
     * @param shardRows       the rows of each shard, by shard
     * @param acceptedEarlier an earlier round (asynchronous: this task) accepted this very result (same shard, same delta)
     * @param copiedDelta     the project accepted this delta for another task (a copy, or a stale result sent again)
     * @param recentNorms     the norms of recently accepted updates
     * @param lease           the lease the result names, in whatever state; null when there is no such lease
     * @param leases          who holds the project's live leases: provider by shard
     * @param maxContributors the most providers working on the project at once
     * @param version         the project's current version
     * @param maxStaleness    how many versions a result's base may lag behind it (0: synchronous)
     */
    public record Facts(String projectId, ProjectState state, int round, int totalTasks, int[] roundShards,
            Map<Integer, String> acceptedBy, long[] shardRows, boolean acceptedEarlier, boolean copiedDelta, List<Double> recentNorms,
            double normFactor, LeaseRow lease, Map<Integer, String> leases, int maxContributors, int version, int maxStaleness) {

        /** K-batch sync: the round is the version, and a result must be computed on it. */
        public Facts(String projectId, ProjectState state, int round, int totalTasks, int[] roundShards, Map<Integer, String> acceptedBy,
                long[] shardRows, boolean acceptedEarlier, boolean copiedDelta, List<Double> recentNorms, double normFactor, LeaseRow lease,
                Map<Integer, String> leases, int maxContributors) {
            this(projectId, state, round, totalTasks, roundShards, acceptedBy, shardRows, acceptedEarlier, copiedDelta, recentNorms,
                    normFactor, lease, leases, maxContributors, round, 0);
        }

        public static Facts unknown(String projectId) {
            return new Facts(projectId, null, 0, 0, new int[0], Map.of(), new long[0], false, false, List.of(), 0, null, Map.of(), 0);
        }

        public static Facts finished(String projectId, ProjectState state) {
            return new Facts(projectId, state, 0, 0, new int[0], Map.of(), new long[0], false, false, List.of(), 0, null, Map.of(), 0);
        }
    }

    /** Norms are compared with the median only once there are this many to take it from. */
    static final int NORMS_FOR_A_MEDIAN = 3;

    public static Admission decide(Facts f, String providerId, TaskResult r, Delta delta) {
        String id = f.projectId();
        if (f.state() == null) {
            return new Admission(Verdict.NO_SUCH_PROJECT, "no project " + id);
        }
        if (f.state().isFinal()) {
            return new Admission(Verdict.PROJECT_FINISHED, "project " + id + " is finished");
        }
        if (delta.problem() != null) {
            return new Admission(delta.lost() ? Verdict.DELTA_LOST : Verdict.BAD_DELTA, delta.problem());
        }
        if (f.state() == ProjectState.PREPARING) {
            return new Admission(Verdict.NOT_PREPARED, "project " + id + " has no tasks yet");
        }
        if (r.round() > f.round() || r.round() < 0 || r.shard() < 0 || r.shard() >= f.totalTasks()) {
            return new Admission(Verdict.NO_SUCH_TASK, "project " + id + " has no task for round " + r.round() + ", shard " + r.shard());
        }
        if (f.acceptedEarlier()) {
            return new Admission(Verdict.ACCEPTED_EARLIER, "shard " + r.shard() + " of round " + r.round() + " was already accepted");
        }
        if (r.round() < f.round() || r.version() > f.version() || f.version() - r.version() > f.maxStaleness()) {
            return new Admission(Verdict.ROUND_OVER, f.maxStaleness() == 0 ? "round " + r.round() + " (version " + r.version()
                    + ") is over; the project is at version " + f.version()
                    : "version " + r.version() + " is " + (f.version() - r.version()) + " versions behind the project's " + f.version()
                    + ", more than its max staleness " + f.maxStaleness());
        }
        if (!contains(f.roundShards(), r.shard())) {
            return new Admission(Verdict.NOT_IN_ROUND, "shard " + r.shard() + " is not part of round " + f.round());
        }
        String previous = f.acceptedBy().get(r.shard());
        if (previous != null) {
            return new Admission(Verdict.ALREADY_ACCEPTED, "shard " + r.shard() + " of round " + f.round() + " was already accepted"
                    + (previous.equals(providerId) ? "" : " from another provider"));
        }
        Admission lease = leaseRule(f, providerId, r);
        if (lease != null) {
            return lease;
        }
        long rows = f.shardRows()[r.shard()];
        if (r.samples() != rows) {
            return new Admission(Verdict.WRONG_SAMPLES, "it reports " + r.samples() + " samples but shard " + r.shard() + " has "
                    + rows + " rows");
        }
        // free riders: an update someone else computed, or none at all, earns nothing
        if (f.copiedDelta()) {
            return new Admission(Verdict.COPIED_DELTA, "its update is one the project already accepted for another task");
        }
        if (delta.norm() == 0) {
            return new Admission(Verdict.ZERO_DELTA, "its update is zero: training changed nothing");
        }
        double median = LeaseTimeouts.median(f.recentNorms());
        boolean enough = f.recentNorms().size() >= NORMS_FOR_A_MEDIAN;
        if (enough && delta.norm() > f.normFactor() * median) {
            return new Admission(Verdict.OUTLIER_NORM, String.format("its update norm %.4g is more than %.0f× the median %.4g of recent updates",
                    delta.norm(), f.normFactor(), median));
        }
        // squared: honest updates shrink as training converges, and a refused update would be refused again on every retry
        if (enough && delta.norm() * f.normFactor() * f.normFactor() < median) {
            return new Admission(Verdict.TOO_SMALL, String.format("its update norm %.4g is less than 1/%.0f of the median %.4g of recent updates",
                    delta.norm(), f.normFactor() * f.normFactor(), median));
        }
        return new Admission(Verdict.ACCEPT, "accepted");
    }

    /** Whether the result comes on the sender's own lease for this task; null when it does. */
    private static Admission leaseRule(Facts f, String providerId, TaskResult r) {
        LeaseRow lease = f.lease();
        if (r.leaseId() == null || r.leaseId().isBlank() || lease == null) {
            return new Admission(Verdict.NO_LEASE, r.leaseId() == null || r.leaseId().isBlank() ? "it names no lease"
                    : "lease " + r.leaseId() + " was never handed out");
        }
        if (!lease.providerId().equals(providerId)) {
            return new Admission(Verdict.NOT_YOUR_LEASE, "lease " + lease.id() + " is not yours");
        }
        if (!lease.projectId().equals(f.projectId()) || lease.round() != r.round() || lease.shard() != r.shard()) {
            return new Admission(Verdict.NOT_YOUR_LEASE, "lease " + lease.id() + " is for another task");
        }
        if (lease.baseVersion() != r.version()) {
            // a result claiming a newer base than it was given would dodge the staleness rule
            return new Admission(Verdict.NOT_YOUR_LEASE, "lease " + lease.id() + " trains from version " + lease.baseVersion()
                    + ", not " + r.version());
        }
        if (lease.state() == LeaseState.ACTIVE) {
            return null;
        }
        if (lease.state() != LeaseState.EXPIRED) {
            return new Admission(Verdict.LEASE_ENDED, "lease " + lease.id() + " ended ("
                    + lease.state().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        String holder = f.leases().get(r.shard());
        if (holder != null && !holder.equals(providerId)) {
            return new Admission(Verdict.LEASE_LAPSED, "lease " + lease.id() + " lapsed and shard " + r.shard()
                    + " went to another provider");
        }
        Set<String> working = Set.copyOf(f.leases().values());
        if (!working.contains(providerId) && working.size() >= f.maxContributors()) {
            return new Admission(Verdict.LEASE_LAPSED, "lease " + lease.id() + " lapsed and the project has its "
                    + f.maxContributors() + " contributor(s) at work");
        }
        return null;
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
