package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import org.daig.api.project.ProjectSpec;

/**
 * K-batch synchronous SGD: the next version is the current one plus the round's step, the
 * deltas combined by the project's {@link RobustAggregation} (by default the mean weighted by
 * samples, {@code v+1 = v + Σ (n_i / Σn) · δ_i}, of deltas clipped to twice the round's median
 * norm). Combined in the order given (shard order), so the same results always give
 * bit-identical parameters, whatever order they arrived in and whether or not the coordinator
 * restarted in between.
 *
 * <p>No version is ever non-finite or absurd: a next version with a value that is not finite or
 * beyond ±{@value #ABSURD} is not published; the round is combined again without the delta of
 * the largest norm, until it is sound (or none is left, and the version stays as it was).
 */
public final class KBatchSyncSgd implements AggregationStrategy {

    /** No float32 network trained by SGD holds a parameter this large; one that does was poisoned. */
    public static final double ABSURD = 1e6;

    @Override
    public String name() {
        return ProjectSpec.KBATCH_SYNC;
    }

    @Override
    public boolean synchronous() {
        return true;
    }

    @Override
    public Outcome aggregate(float[] current, List<? extends Update> updates, RobustAggregation rule) throws IOException {
        return rule.rule() instanceof WeightedMean ? streamedMean(current, updates, rule.clip()) : inMemory(current, updates, rule);
    }

    /**
     * The mean reads one delta at a time, once, so a round of a large model needs no more memory
     * than two copies of it; the clipping bound comes from the norms the intake measured.
     */
    private static Outcome streamedMean(float[] current, List<? extends Update> updates, double clip) throws IOException {
        double[] norms = updates.stream().mapToDouble(Update::norm).toArray();
        List<Integer> kept = new ArrayList<>();
        for (int k = 0; k < updates.size(); k++) {
            kept.add(k);
        }
        List<Integer> dropped = new ArrayList<>();
        while (!kept.isEmpty()) {
            double bound = clip > 0 ? clip * Vectors.median(kept.stream().mapToDouble(k -> norms[k]).toArray()) : Double.POSITIVE_INFINITY;
            double total = kept.stream().mapToDouble(k -> Math.max(1, updates.get(k).samples())).sum();
            double[] sum = new double[current.length];
            for (int k : kept) {
                float[] delta = checked(updates.get(k).delta(), current.length);
                double scale = Math.max(1, updates.get(k).samples()) / total * (norms[k] > bound ? bound / norms[k] : 1);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += scale * delta[i];
                }
            }
            float[] next = new float[current.length];
            for (int i = 0; i < next.length; i++) {
                next[i] = (float) (current[i] + sum[i]);
            }
            if (sound(next)) {
                return new Outcome(next, List.copyOf(dropped));
            }
            dropped.add(dropLargest(kept, k -> norms[k]));
        }
        return new Outcome(current.clone(), List.copyOf(dropped));
    }

    private static Outcome inMemory(float[] current, List<? extends Update> updates, RobustAggregation rule) throws IOException {
        List<float[]> deltas = new ArrayList<>(updates.size());
        List<Integer> kept = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>();
        for (int k = 0; k < updates.size(); k++) {
            float[] delta = checked(updates.get(k).delta(), current.length);
            deltas.add(delta);
            if (finite(delta)) {
                kept.add(k);
            } else {
                dropped.add(k);
            }
        }
        while (!kept.isEmpty()) {
            List<float[]> chosen = kept.stream().map(deltas::get).toList();
            long[] samples = kept.stream().mapToLong(k -> updates.get(k).samples()).toArray();
            float[] next = plus(current, rule.step(chosen, samples));
            if (sound(next)) {
                return new Outcome(next, List.copyOf(dropped));
            }
            dropped.add(dropLargest(kept, k -> Vectors.norm(deltas.get(k))));
        }
        return new Outcome(current.clone(), List.copyOf(dropped));
    }

    private static float[] checked(float[] delta, int length) throws IOException {
        if (delta.length != length) {
            throw new IOException("an update has " + delta.length + " values, the model " + length);
        }
        return delta;
    }

    /** Removes and returns the kept update of the largest norm (the first of equals). */
    private static int dropLargest(List<Integer> kept, IntToDoubleFunction norm) {
        int worst = kept.get(0);
        for (int k : kept) {
            if (norm.applyAsDouble(k) > norm.applyAsDouble(worst)) {
                worst = k;
            }
        }
        kept.remove(Integer.valueOf(worst));
        return worst;
    }

    static boolean finite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Finite and nowhere beyond ±{@link #ABSURD}. */
    static boolean sound(float[] v) {
        for (float x : v) {
            if (!(Math.abs(x) <= ABSURD)) {
                return false;
            }
        }
        return true;
    }

    /** {@code a + b}. */
    static float[] plus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }
}
