package org.daig.api.task;

/**
 * A leased task: train shard {@code shard} of project {@code projectId} for {@code epochs} local
 * epochs starting from model version {@code version}, then report the delta.
 *
 * @param leaseId     identifies this lease; the result names it
 * @param projectId   the project
 * @param round       the round (0-based)
 * @param shard       the shard index
 * @param version     the model version to start from (the parameters blob)
 * @param model       blob id of the Keras .h5
 * @param params      blob id of version {@code version}'s parameters (.npy float32 vector)
 * @param x           blob id of the shard's features (.npy)
 * @param y           blob id of the shard's labels (.npy)
 * @param rows        samples in the shard
 * @param epochs      local epochs
 * @param batchSize   minibatch size
 * @param seed        seed of the task's shuffles
 * @param deadline    epoch milliseconds by which the result must arrive, else the task is offered again
 * @param blobBaseUrl where the blobs are, e.g. {@code http://host:7700/api/v1/blobs/}
 * @param compression how to encode the update (docs/protocol.md, "Compressed vectors"); null or
 *                    {@code none}: a float32 .npy
 * @param paramsDiffs compressed projects: blob ids of the differences D(v-n+1)..D(v) that take the
 *                    parameters handed out at version v-n to those of {@code params}, oldest first
 *                    (docs/protocol.md, "Parameters as differences"); null or empty: none
 */
public record Task(String leaseId, String projectId, int round, int shard, int version, String model, String params,
        String x, String y, long rows, int epochs, int batchSize, long seed, long deadline, String blobBaseUrl, String compression,
        java.util.List<String> paramsDiffs) {

    /** A task whose parameters are sent whole. */
    public Task(String leaseId, String projectId, int round, int shard, int version, String model, String params, String x, String y,
            long rows, int epochs, int batchSize, long seed, long deadline, String blobBaseUrl, String compression) {
        this(leaseId, projectId, round, shard, version, model, params, x, y, rows, epochs, batchSize, seed, deadline, blobBaseUrl,
                compression, null);
    }

    /** A task whose update goes up as a float32 .npy. */
    public Task(String leaseId, String projectId, int round, int shard, int version, String model, String params, String x, String y,
            long rows, int epochs, int batchSize, long seed, long deadline, String blobBaseUrl) {
        this(leaseId, projectId, round, shard, version, model, params, x, y, rows, epochs, batchSize, seed, deadline, blobBaseUrl, null);
    }
}
