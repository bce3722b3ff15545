package org.daig.coordinator.schedule;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which shards a round trains, and each task's seed; a pure function of the project's settings,
 * so nothing of it needs storing and a restarted coordinator plans exactly the same rounds.
 *
 * <p>Round r belongs to pass r / roundsPerPass. Each pass visits the shards in its own seeded
 * random order, K at a time; the last round of a pass takes what is left when K does not divide
 * the shard count.
 */
public final class RoundPlan {

    private final int totalTasks;
    private final int taskSize;
    private final int passes;
    private final long seed;

    public RoundPlan(int totalTasks, int taskSize, int passes, long seed) {
        this.totalTasks = totalTasks;
        this.taskSize = taskSize;
        this.passes = passes;
        this.seed = seed;
    }

    public int roundsPerPass() {
        return (totalTasks + taskSize - 1) / taskSize;
    }

    public int totalRounds() {
        return roundsPerPass() * passes;
    }

    /** The shards of round {@code round}, in the order they are offered. */
    public int[] shards(int round) {
        int pass = round / roundsPerPass();
        int index = round % roundsPerPass();
        int[] order = order(pass);
        return Arrays.copyOfRange(order, index * taskSize, Math.min(totalTasks, (index + 1) * taskSize));
    }

    /** The seed of the task training {@code shard} in {@code round}. */
    public long taskSeed(int round, int shard) {
        return mix(mix(seed ^ 0x5DEECE66DL, round), shard) & Long.MAX_VALUE;
    }

    private int[] order(int pass) {
        int[] order = new int[totalTasks];
        for (int i = 0; i < totalTasks; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(mix(seed, pass));
        for (int i = totalTasks - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** SplitMix64's finalizer over a combination of two values. */
    private static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
