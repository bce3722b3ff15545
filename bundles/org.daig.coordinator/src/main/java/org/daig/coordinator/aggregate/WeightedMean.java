package org.daig.coordinator.aggregate;

import java.util.List;

/** The plain rule: the mean of the deltas weighted by their samples (K-batch synchronous SGD). */
public final class WeightedMean implements RobustRule {

    @Override
    public String describe() {
        return "mean";
    }

    @Override
    public float[] combine(List<float[]> deltas, long[] samples) {
        return Vectors.weightedMean(deltas, Vectors.asWeights(samples));
    }
}
