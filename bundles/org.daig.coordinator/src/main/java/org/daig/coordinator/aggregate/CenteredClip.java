package org.daig.coordinator.aggregate;

import java.util.List;

/**
 * CenteredClip (Karimireddy, He and Jaggi, 2021; hivemind's BTARD uses it): starting from the
 * coordinate-wise median, each iteration moves the centre by the mean of the deltas' offsets
 * from it, each offset clipped to length τ. A delta far away pulls by at most τ/n per iteration.
 */
public final class CenteredClip implements RobustRule {

    private final double tau;
    private final int iterations;

    public CenteredClip(double tau, int iterations) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("centered-clip: tau must be a positive number, not " + tau);
        }
        if (iterations < 1 || iterations > 100) {
            throw new IllegalArgumentException("centered-clip: iterations must be from 1 to 100, not " + iterations);
        }
        this.tau = tau;
        this.iterations = iterations;
    }

    @Override
    public String describe() {
        return "centered-clip:tau=" + tau + ",iterations=" + iterations;
    }

    @Override
    public float[] combine(List<float[]> deltas, long[] samples) {
        int n = deltas.size();
        int length = deltas.get(0).length;
        double[] centre = toDouble(new CoordinateMedian().combine(deltas, samples));
        for (int it = 0; it < iterations; it++) {
            double[] move = new double[length];
            for (float[] d : deltas) {
                double distance = 0;
                for (int i = 0; i < length; i++) {
                    double off = d[i] - centre[i];
                    distance += off * off;
                }
                distance = Math.sqrt(distance);
                double scale = distance <= tau ? 1 : tau / distance;
                for (int i = 0; i < length; i++) {
                    move[i] += scale * (d[i] - centre[i]);
                }
            }
            for (int i = 0; i < length; i++) {
                centre[i] += move[i] / n;
            }
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) centre[i];
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
