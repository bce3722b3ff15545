package org.daig.api.project;

/**
 * What a requestor submits: blobs already uploaded (by SHA-256) and the hyperparameters, with the
 * meanings of docs/architecture.md ("Training semantics").
 *
 * @param name            a name for people
 * @param model           blob id of the Keras model (.keras, or .h5 from Keras 2 or 3)
 * @param x               blob id of the training features (.npy)
 * @param y               blob id of the training labels (.npy)
 * @param epochs          local epochs per task
 * @param batchSize       minibatch size of the local fit
 * @param totalTasks      number of shards the training set is cut into
 * @param taskSize        K: tasks per round, all on the same model version
 * @param maxContributors most providers working on the project at once
 * @param validationRate  fraction of the rows held out for validation (0 ≤ rate < 1)
 * @param passes          how many times every shard is used (default 1)
 * @param strategy        aggregation strategy ({@code kbatch-sync} is the default)
 * @param seed            seed of the shard order and the tasks' shuffles
 * @param loss            the loss to train with (a Keras name or alias), null: the file's
 * @param optimizer       the optimizer (a Keras class name), null: the file's
 * @param learningRate    the optimizer's learning rate, null: the file's (or Keras's default)
 * @param compression     how providers encode their updates ({@code none}, {@code fp16}, {@code int8[:block]},
 *                        {@code topk[:fraction]}; docs/protocol.md), null: none
 * @param maxStaleness    asynchronous strategies: the most versions an update may lag behind and still
 *                        count, null: {@link #DEFAULT_MAX_STALENESS}
 */
public record ProjectSpec(String name, String model, String x, String y, int epochs, int batchSize, int totalTasks,
        int taskSize, int maxContributors, double validationRate, int passes, String strategy, long seed, String loss,
        String optimizer, Double learningRate, String compression, Integer maxStaleness) {

    public static final String KBATCH_SYNC = "kbatch-sync";
    public static final int DEFAULT_MAX_STALENESS = 16;

    /** A project with the given loss and optimizer, uncompressed updates and the default staleness bound. */
    public ProjectSpec(String name, String model, String x, String y, int epochs, int batchSize, int totalTasks, int taskSize,
            int maxContributors, double validationRate, int passes, String strategy, long seed, String loss, String optimizer,
            Double learningRate) {
        this(name, model, x, y, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate, passes, strategy, seed,
                loss, optimizer, learningRate, null, null);
    }

    /** A project trained with the loss and optimizer its model file names. */
    public ProjectSpec(String name, String model, String x, String y, int epochs, int batchSize, int totalTasks, int taskSize,
            int maxContributors, double validationRate, int passes, String strategy, long seed) {
        this(name, model, x, y, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate, passes, strategy, seed,
                null, null, null, null, null);
    }

    /** The defaults a requestor may leave out (passes 0 → 1, no strategy → K-batch sync, no compression → none). */
    public ProjectSpec withDefaults() {
        return new ProjectSpec(name, model, x, y, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate,
                passes <= 0 ? 1 : passes, strategy == null || strategy.isBlank() ? KBATCH_SYNC : strategy, seed, blankToNull(loss),
                blankToNull(optimizer), learningRate, compression == null || compression.isBlank() ? "none" : compression.trim(),
                maxStaleness == null ? DEFAULT_MAX_STALENESS : maxStaleness);
    }

    /** The same settings for these three uploaded files (blob ids). */
    public ProjectSpec withFiles(String modelBlob, String xBlob, String yBlob) {
        return new ProjectSpec(name, modelBlob, xBlob, yBlob, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate,
                passes, strategy, seed, loss, optimizer, learningRate, compression, maxStaleness);
    }

    /** The staleness bound in force. */
    public int staleness() {
        return maxStaleness == null ? DEFAULT_MAX_STALENESS : maxStaleness;
    }

    /** How the worker compiles the model for this project. */
    public org.daig.api.trainer.TrainerClient.Compile compile() {
        return new org.daig.api.trainer.TrainerClient.Compile(loss, optimizer, learningRate);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
