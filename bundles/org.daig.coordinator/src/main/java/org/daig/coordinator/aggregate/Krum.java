package org.daig.coordinator.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Krum and Multi-Krum (Blanchard et al., 2017): each delta's score is the sum of its squared
 * distances to its {@code n − f − 2} nearest others; the {@code m} lowest-scoring deltas are
 * averaged, weighted by samples (m = 1: Krum). Meant for {@code n ≥ 2f + 3}; with fewer deltas
 * each is scored against all others it has.
 */
public final class Krum implements RobustRule {

    private final int f;
    private final int m;

    public Krum(int f, int m) {
        if (f < 0) {
            throw new IllegalArgumentException("krum: f (the Byzantine deltas tolerated) must be 0 or more, not " + f);
        }
        if (m < 1) {
            throw new IllegalArgumentException("krum: m (the deltas averaged) must be 1 or more, not " + m);
        }
        this.f = f;
        this.m = m;
    }

    @Override
    public String describe() {
        return m == 1 ? "krum:f=" + f : "multi-krum:f=" + f + ",m=" + m;
    }

    @Override
    public float[] combine(List<float[]> deltas, long[] samples) {
        int n = deltas.size();
        double[][] d2 = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                d2[a][b] = d2[b][a] = Vectors.distanceSquared(deltas.get(a), deltas.get(b));
            }
        }
        int neighbours = Math.max(1, Math.min(n - 1, n - f - 2));
        double[] score = new double[n];
        for (int a = 0; a < n; a++) {
            double[] others = new double[n - 1];
            int j = 0;
            for (int b = 0; b < n; b++) {
                if (b != a) {
                    others[j++] = d2[a][b];
                }
            }
            Arrays.sort(others);
            for (int k = 0; k < neighbours && k < others.length; k++) {
                score[a] += others[k];
            }
        }
        // lowest score first; ties in shard order, so the same deltas always give the same step
        int[] chosen = IntStream.range(0, n).boxed().sorted(Comparator.<Integer>comparingDouble(i -> score[i]).thenComparing(i -> i))
                .limit(Math.min(m, n)).mapToInt(Integer::intValue).sorted().toArray();
        List<float[]> kept = new ArrayList<>();
        double[] weights = new double[chosen.length];
        for (int k = 0; k < chosen.length; k++) {
            kept.add(deltas.get(chosen[k]));
            weights[k] = Math.max(1, samples[chosen[k]]);
        }
        return Vectors.weightedMean(kept, weights);
    }
}
