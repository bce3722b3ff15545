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
        int n = deltas.size();
        int length = deltas.get(0).length;
        float[] out = new float[length];
        double[] column = new double[n];
        for (int i = 0; i < length; i++) {
            for (int k = 0; k < n; k++) {
                column[k] = deltas.get(k)[i];
            }
            out[i] = (float) Vectors.median(column);
        }
        return out;
    }
}
