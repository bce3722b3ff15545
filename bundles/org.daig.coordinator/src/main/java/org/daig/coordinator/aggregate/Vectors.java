package org.daig.coordinator.aggregate;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The vector arithmetic the rules share, in double precision where sums could lose accuracy or overflow. */
final class Vectors {

    private Vectors() {
    }

    static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    static double distanceSquared(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /** The median of values (the mean of the middle two for an even count); the array is sorted in place. */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** Each coordinate from the deltas' values there: {@code of} gets them in a scratch array it may reorder. */
    static float[] perCoordinate(List<float[]> deltas, ToDoubleFunction<double[]> of) {
        int length = deltas.get(0).length;
        float[] out = new float[length];
        double[] column = new double[deltas.size()];
        for (int i = 0; i < length; i++) {
            for (int k = 0; k < column.length; k++) {
                column[k] = deltas.get(k)[i];
            }
            out[i] = (float) of.applyAsDouble(column);
        }
        return out;
    }

    /** Σ w_i · x_i / Σ w_i over the chosen deltas. */
    static float[] weightedMean(List<float[]> deltas, double[] weights) {
        int length = deltas.get(0).length;
        double[] sum = new double[length];
        double total = 0;
        for (int k = 0; k < deltas.size(); k++) {
            float[] d = deltas.get(k);
            double w = weights[k];
            total += w;
            for (int i = 0; i < length; i++) {
                sum[i] += w * d[i];
            }
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) (sum[i] / total);
        }
        return out;
    }

    static double[] asWeights(long[] samples) {
        double[] w = new double[samples.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(1, samples[i]);
        }
        return w;
    }
}
