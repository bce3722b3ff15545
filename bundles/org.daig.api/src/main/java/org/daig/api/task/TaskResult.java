package org.daig.api.task;

/**
 * A provider's result. The delta (parameters after − before, an .npy float32 vector) is uploaded
 * as a blob first; this message commits it.
 *
 * @param requestId chosen by the provider; the reply carries it back
 * @param leaseId   the lease it worked under
 * @param projectId the project
 * @param round     the round
 * @param shard     the shard
 * @param version   the model version it started from
 * @param delta     blob id of the delta
 * @param samples   samples trained on (per epoch)
 * @param loss      loss on the shard after training
 * @param accuracy  accuracy on the shard after training (NaN if not a classifier)
 * @param seconds   seconds spent training
 * @param threads   the thread count the worker trained with (null or 0: not reported; see {@link #threadCount()})
 * @param runtime   the worker's runtime fingerprint (backend, CPU model, library version; null: not reported): with the
 *                  same runtime and thread count, the coordinator's replay must match bit for bit
 */
public record TaskResult(String requestId, String leaseId, String projectId, int round, int shard, int version,
        String delta, long samples, double loss, double accuracy, double seconds, Integer threads, String runtime) {

    public TaskResult(String requestId, String leaseId, String projectId, int round, int shard, int version, String delta,
            long samples, double loss, double accuracy, double seconds) {
        this(requestId, leaseId, projectId, round, shard, version, delta, samples, loss, accuracy, seconds, null, null);
    }

    /** The longest runtime fingerprint kept; a longer one counts as not reported. */
    public static final int MAX_RUNTIME_LENGTH = 200;

    /** The thread count, 0 when the provider did not say (an older provider's message has no such field) or said nonsense. */
    public int threadCount() {
        return threads == null || threads < 0 || threads > 4096 ? 0 : threads;
    }

    /** The runtime fingerprint, null when not reported or longer than {@link #MAX_RUNTIME_LENGTH}. */
    public String runtimeOrNull() {
        return runtime == null || runtime.length() > MAX_RUNTIME_LENGTH ? null : runtime;
    }
}
