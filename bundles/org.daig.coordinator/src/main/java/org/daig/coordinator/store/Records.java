package org.daig.coordinator.store;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;

/** Rows of the coordinator's database, as records. */
public final class Records {

    private Records() {
    }

    /** A project; {@code canonicalModel} is the blob of the model's canonical form providers load (null until prepared). */
    public record ProjectRow(String id, ProjectSpec spec, ProjectState state, String message, long paramCount, long trainRows,
            long validationRows, String validationX, String validationY, int round, int totalRounds, long createdAt,
            String canonicalModel) {

        public ProjectRow withState(ProjectState newState, String newMessage) {
            return new ProjectRow(id, spec, newState, newMessage, paramCount, trainRows, validationRows, validationX, validationY,
                    round, totalRounds, createdAt, canonicalModel);
        }

        public ProjectRow withRound(int newRound) {
            return new ProjectRow(id, spec, state, message, paramCount, trainRows, validationRows, validationX, validationY,
                    newRound, totalRounds, createdAt, canonicalModel);
        }

        public ProjectRow withCanonicalModel(String blob) {
            return new ProjectRow(id, spec, state, message, paramCount, trainRows, validationRows, validationX, validationY,
                    round, totalRounds, createdAt, blob);
        }

        public ProjectRow prepared(long params, long train, long validation, String valX, String valY) {
            return new ProjectRow(id, spec, state, message, params, train, validation, valX, valY, round, totalRounds, createdAt,
                    canonicalModel);
        }
    }

    public record ShardRow(int shard, String x, String y, long rows) {
    }

    /**
     * A model version. {@code paramsBlob}: its exact parameters P(v); {@code sentBlob}: the parameters
     * providers train from, B(v) (the same blob unless the project is compressed); {@code diffBlob}:
     * the compressed difference D(v) that takes B(v-1) to B(v), or null (docs/protocol.md,
     * "Parameters as differences").
     */
    public record VersionRow(String projectId, int version, String paramsBlob, long createdAt, long samples, double trainLoss,
            double loss, double accuracy, int contributors, long roundMillis, String sentBlob, String diffBlob) {

        /** A version sent whole: providers get its own parameters. */
        public VersionRow(String projectId, int version, String paramsBlob, long createdAt, long samples, double trainLoss, double loss,
                double accuracy, int contributors, long roundMillis) {
            this(projectId, version, paramsBlob, createdAt, samples, trainLoss, loss, accuracy, contributors, roundMillis, paramsBlob, null);
        }

        public VersionRow withSent(String sent, String diff) {
            return new VersionRow(projectId, version, paramsBlob, createdAt, samples, trainLoss, loss, accuracy, contributors, roundMillis,
                    sent, diff);
        }
    }

    public enum LeaseState {
        ACTIVE, COMPLETED, EXPIRED, RELEASED, SUPERSEDED, CANCELLED
    }

    /**
     * A task handed to a provider. {@code round}: the round (K-batch sync) or the task's index in
     * the plan (asynchronous strategies); {@code baseVersion}: the version its provider trains from
     * (the round, under K-batch sync).
     */
    public record LeaseRow(String id, String projectId, int round, int shard, String providerId, long issuedAt, long deadline,
            LeaseState state, int baseVersion) {

        public LeaseRow(String id, String projectId, int round, int shard, String providerId, long issuedAt, long deadline,
                LeaseState state) {
            this(id, projectId, round, shard, providerId, issuedAt, deadline, state, round);
        }

        public LeaseRow withState(LeaseState newState) {
            return new LeaseRow(id, projectId, round, shard, providerId, issuedAt, deadline, newState, baseVersion);
        }
    }

    /** threads and runtime: how the volunteer's worker trained (TaskResult), what a replay must match to demand bit-exactness. */
    /** baseVersion: the version the result was trained from (the round, under K-batch sync). */
    public record ResultRow(String projectId, int round, int shard, String providerId, String leaseId, String deltaBlob,
            long samples, double loss, double accuracy, double seconds, double norm, long leaseMillis, long acceptedAt, int threads,
            String runtime, int baseVersion) {

        public ResultRow(String projectId, int round, int shard, String providerId, String leaseId, String deltaBlob, long samples,
                double loss, double accuracy, double seconds, double norm, long leaseMillis, long acceptedAt, int threads, String runtime) {
            this(projectId, round, shard, providerId, leaseId, deltaBlob, samples, loss, accuracy, seconds, norm, leaseMillis, acceptedAt,
                    threads, runtime, round);
        }

        public ResultRow(String projectId, int round, int shard, String providerId, String leaseId, String deltaBlob, long samples,
                double loss, double accuracy, double seconds, double norm, long leaseMillis, long acceptedAt) {
            this(projectId, round, shard, providerId, leaseId, deltaBlob, samples, loss, accuracy, seconds, norm, leaseMillis, acceptedAt,
                    0, null);
        }
    }

    public record CreditRow(String providerId, long tasks, double amount) {
    }

    /** One task a device was credited for: which, how much, when. */
    public record CreditedTask(String providerId, String projectId, int round, int shard, double amount, long at) {
    }
}
