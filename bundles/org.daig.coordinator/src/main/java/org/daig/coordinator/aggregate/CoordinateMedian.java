package org.daig.coordinator.aggregate;

import java.util.List;

/** Each coordinate is the median of the deltas' values there (unweighted): fewer than half the deltas cannot move it past the honest ones. */
public final class CoordinateMedian implements RobustRule {

    @Override
    public String describe() {
        return "median";
    }

    @Override
    public float[] combine(List<float[]> deltas, long[] samples) {
        return Vectors.perCoordinate(deltas, Vectors::median);
    }
}
