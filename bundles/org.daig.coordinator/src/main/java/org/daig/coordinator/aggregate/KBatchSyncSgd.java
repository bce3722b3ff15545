package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.List;

import org.daig.api.project.ProjectSpec;

/**
 * K-batch synchronous SGD: the next version is the current one plus the mean of the round's
 * deltas weighted by their samples, {@code v+1 = v + Σ (n_i / Σn) · δ_i}. Summed in the order
 * given (shard order), so the same results always give bit-identical parameters, whatever order
 * they arrived in and whether or not the coordinator restarted in between.
 */
public final class KBatchSyncSgd implements AggregationStrategy {

    @Override
    public String name() {
        return ProjectSpec.KBATCH_SYNC;
    }

    @Override
    public boolean synchronous() {
        return true;
    }

    @Override
    public float[] aggregate(float[] current, List<? extends Update> updates) throws IOException {
        long total = 0;
        for (Update u : updates) {
            total += u.samples();
        }
        float[] sum = new float[current.length];
        for (Update u : updates) {
            float[] delta = u.delta();
            if (delta.length != current.length) {
                throw new IOException("an update has " + delta.length + " values, the model " + current.length);
            }
            addScaled(sum, delta, (float) ((double) u.samples() / total));
        }
        return plus(current, sum);
    }

    /** {@code a + b}, in a method of its own so the JIT compiles (and vectorizes) it fully, not as an on-stack replacement. */
    static float[] plus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** {@code sum += weight · delta}; a plain loop the JIT vectorizes. */
    static void addScaled(float[] sum, float[] delta, float weight) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * delta[i];
        }
    }
}
