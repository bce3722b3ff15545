package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.List;

/**
 * Asynchronous SGD with a staleness-aware step: each update is applied as it comes, scaled by
 * 1 / (1 + s) where s is how many versions the project moved on since the update's provider got
 * its parameters (a fresh update counts fully; one computed four versions ago a fifth). Updates
 * beyond the project's max staleness never get here: the admission refuses them.
 *
 * <p>One class, two strategy names: {@code async-apply} applies each update before its provider
 * gets the answer, {@code async-queue} answers first and applies from a queue (the scheduler's
 * difference, not the arithmetic's).
 */
public final class AsyncSgd implements AggregationStrategy {

    private final String name;

    public AsyncSgd(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean synchronous() {
        return false;
    }

    /** The step an update of staleness {@code s} takes. */
    public static double scale(int staleness) {
        return 1.0 / (1 + Math.max(0, staleness));
    }

    @Override
    public Outcome aggregate(float[] current, List<? extends Update> updates, RobustAggregation rule) throws IOException {
        double[] sum = new double[current.length];
        List<Integer> dropped = new java.util.ArrayList<>();
        for (int k = 0; k < updates.size(); k++) {
            float[] delta = updates.get(k).delta();
            if (delta.length != current.length) {
                throw new IOException("an update has " + delta.length + " values, the model " + current.length);
            }
            double scale = scale(updates.get(k).staleness());
            double[] candidate = sum.clone();
            for (int i = 0; i < candidate.length; i++) {
                candidate[i] += scale * delta[i];
            }
            if (KBatchSyncSgd.sound(plus(current, candidate))) {
                sum = candidate;
            } else {
                dropped.add(k); // it would make the version non-finite or absurd: left out, as K-batch sync leaves it out
            }
        }
        return new Outcome(plus(current, sum), List.copyOf(dropped));
    }

    private static float[] plus(float[] current, double[] step) {
        float[] next = new float[current.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = (float) (current[i] + step[i]);
        }
        return next;
    }
}
