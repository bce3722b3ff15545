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
 */
public record ProjectSpec(String name, String model, String x, String y, int epochs, int batchSize, int totalTasks,
        int taskSize, int maxContributors, double validationRate, int passes, String strategy, long seed, String loss,
        String optimizer, Double learningRate) {

    public static final String KBATCH_SYNC = "kbatch-sync";

    /** A project trained with the loss and optimizer its model file names. */
    public ProjectSpec(String name, String model, String x, String y, int epochs, int batchSize, int totalTasks, int taskSize,
            int maxContributors, double validationRate, int passes, String strategy, long seed) {
        this(name, model, x, y, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate, passes, strategy, seed,
                null, null, null);
    }

    /** The defaults a requestor may leave out (passes 0 → 1, no strategy → K-batch sync). */
    public ProjectSpec withDefaults() {
        return new ProjectSpec(name, model, x, y, epochs, batchSize, totalTasks, taskSize, maxContributors, validationRate,
                passes <= 0 ? 1 : passes, strategy == null || strategy.isBlank() ? KBATCH_SYNC : strategy, seed, blankToNull(loss),
                blankToNull(optimizer), learningRate);
    }

    /** How the worker compiles the model for this project. */
    public org.daig.api.trainer.TrainerClient.Compile compile() {
        return new org.daig.api.trainer.TrainerClient.Compile(loss, optimizer, learningRate);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
