package org.daig.coordinator.aggregate;

import java.util.Arrays;
import java.util.List;

/**
 * Each coordinate is the mean of the deltas' values there after dropping the {@code ⌊β·n⌋}
 * largest and as many smallest (unweighted); β = 0 is the plain mean, β near 0.5 the median.
 */
public final class TrimmedMean implements RobustRule {

    private final double beta;

    public TrimmedMean(double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("trimmed-mean: beta must be at least 0 and below 0.5, not " + beta);
        }
        this.beta = beta;
    }

    @Override
    public String describe() {
        return "trimmed-mean:beta=" + beta;
    }

    @Override
    public float[] combine(List<float[]> deltas, long[] samples) {
        int n = deltas.size();
        int cut = Math.min((int) Math.floor(beta * n), (n - 1) / 2);
        return Vectors.perCoordinate(deltas, column -> {
            Arrays.sort(column);
            double sum = 0;
            for (int k = cut; k < n - cut; k++) {
                sum += column[k];
            }
            return sum / (n - 2 * cut);
        });
    }
}
