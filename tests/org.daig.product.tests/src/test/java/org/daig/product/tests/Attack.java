package org.daig.product.tests;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a malicious simulated volunteer does to its update (hivemind's BTARD experiments and
 * "A Little Is Enough", Baruch et al. 2019). Test and benchmark equipment only: nothing in the
 * shipped products can be told to misbehave.
 */
enum Attack {
    NONE("none"),
    NAN("NaN"),
    SCALE("x1e6"),
    SIGN_FLIP("sign flip x-1000"),
    RANDOM("random direction, 1000x norm"),
    ZERO("zero delta (free rider)"),
    LABEL_FLIP("label flip"),
    LITTLE("a little is enough");

    final String label;

    Attack(String label) {
        this.label = label;
    }

    /** Whether the attacker trains at all (a free rider and a NaN sender do not). */
    boolean trains() {
        return this != NAN && this != ZERO;
    }

    /** Whether it trains on flipped labels (data poisoning) rather than its shard's own. */
    boolean poisonsData() {
        return this == LABEL_FLIP;
    }

    /** The update sent instead of the honest one ({@code honest} is null when it does not train). */
    float[] apply(float[] honest, int length, SplittableRandom random, Collusion collusion) {
        switch (this) {
        case NAN -> {
            float[] nan = new float[length];
            Arrays.fill(nan, Float.NaN);
            return nan;
        }
        case ZERO -> {
            return new float[length];
        }
        case SCALE -> {
            return scaled(honest, 1e6f);
        }
        case SIGN_FLIP -> {
            return scaled(honest, -1000f);
        }
        case RANDOM -> {
            float[] direction = new float[length];
            for (int i = 0; i < length; i++) {
                direction[i] = (float) random.nextGaussian();
            }
            return scaled(direction, (float) (1000 * norm(honest) / norm(direction)));
        }
        case LITTLE -> {
            return collusion.shift(honest);
        }
        default -> {
            return honest;
        }
        }
    }

    static Attack parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private static float[] scaled(float[] v, float factor) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * factor;
        }
        return out;
    }

    static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    /**
     * The colluders of "a little is enough": they pool their honest updates and all send the
     * per-coordinate mean minus z standard deviations, a shift small enough to hide among honest
     * updates, in the same direction from everyone. z = 1 here.
     */
    static final class Collusion {
        private static final int KEPT = 8;
        private final Deque<float[]> recent = new ArrayDeque<>();

        synchronized float[] shift(float[] honest) {
            recent.addLast(honest);
            while (recent.size() > KEPT) {
                recent.removeFirst();
            }
            float[] out = new float[honest.length];
            int n = recent.size();
            for (int i = 0; i < out.length; i++) {
                double sum = 0;
                double squares = 0;
                for (float[] u : recent) {
                    sum += u[i];
                    squares += (double) u[i] * u[i];
                }
                double mean = sum / n;
                double sd = n < 2 ? Math.abs(honest[i]) : Math.sqrt(Math.max(0, squares / n - mean * mean));
                out[i] = (float) (mean - sd);
            }
            return out;
        }
    }
}
