package org.daig.coordinator.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A project's robust rule and its norm clipping, parsed from the part of its strategy after the
 * slash: {@code kbatch-sync/RULE[:key=value,...]}. Rules: {@code mean} (the default),
 * {@code median}, {@code trimmed-mean:beta=B}, {@code centered-clip:tau=T,iterations=I},
 * {@code krum:f=F}, {@code multi-krum:f=F,m=M}. Every rule takes {@code clip=C} (each delta is
 * first shortened to C times the median of the round's delta norms; default 2) or
 * {@code clip=off}. docs/robustness.md explains the choice.
 */
public record RobustAggregation(RobustRule rule, double clip) {

    public static final double DEFAULT_CLIP = 2.0;
    public static final RobustAggregation DEFAULT = new RobustAggregation(new WeightedMean(), DEFAULT_CLIP);

    /** The rule from its text; empty or null: the default. Throws IllegalArgumentException with a message for the requestor. */
    public static RobustAggregation parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        Map<String, String> options = options(colon < 0 ? "" : t.substring(colon + 1), name);
        double clip = clip(options.remove("clip"));
        RobustRule rule = switch (name) {
        case "mean" -> new WeightedMean();
        case "median" -> new CoordinateMedian();
        case "trimmed-mean" -> new TrimmedMean(number(options, "beta", name, 0.1));
        case "centered-clip" -> new CenteredClip(number(options, "tau", name, Double.NaN), (int) number(options, "iterations", name, 3));
        case "krum" -> new Krum((int) number(options, "f", name, Double.NaN), 1);
        case "multi-krum" -> new Krum((int) number(options, "f", name, Double.NaN), (int) number(options, "m", name, Double.NaN));
        default -> throw new IllegalArgumentException("'" + name + "' is not a rule: use mean, median, trimmed-mean, centered-clip, krum "
                + "or multi-krum (e.g. kbatch-sync/trimmed-mean:beta=0.2)");
        };
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(name + " takes no option " + String.join(", ", options.keySet()));
        }
        return new RobustAggregation(rule, clip);
    }

    /** The text that parses back to this. */
    public String describe() {
        String rule = this.rule.describe();
        String clipped = clip == DEFAULT_CLIP ? "" : "clip=" + (clip == 0 ? "off" : Double.toString(clip));
        return clipped.isEmpty() ? rule : rule + (rule.contains(":") ? "," : ":") + clipped;
    }

    /**
     * The round's step: the deltas clipped (unless {@code clip=off}) and combined by the rule.
     * The deltas given are left as they are.
     */
    public float[] step(List<float[]> deltas, long[] samples) {
        if (deltas.isEmpty()) {
            throw new IllegalArgumentException("no deltas to combine");
        }
        return rule.combine(clip > 0 ? clipped(deltas, clip) : deltas, samples);
    }

    /** Each delta longer than {@code factor ×} the median norm of the round, scaled down to that length. */
    static List<float[]> clipped(List<float[]> deltas, double factor) {
        double[] norms = deltas.stream().mapToDouble(Vectors::norm).toArray();
        double bound = factor * Vectors.median(norms.clone());
        List<float[]> out = new ArrayList<>(deltas.size());
        for (int k = 0; k < deltas.size(); k++) {
            float[] d = deltas.get(k);
            if (norms[k] <= bound || norms[k] == 0) {
                out.add(d);
                continue;
            }
            double scale = bound / norms[k];
            float[] c = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                c[i] = (float) (d[i] * scale);
            }
            out.add(c);
        }
        return out;
    }

    private static Map<String, String> options(String text, String rule) {
        Map<String, String> options = new LinkedHashMap<>();
        if (text.isBlank()) {
            return options;
        }
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(rule + ": '" + part.strip() + "' is not key=value (e.g. " + rule + ":beta=0.2)");
            }
            options.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
        return options;
    }

    private static double clip(String value) {
        if (value == null) {
            return DEFAULT_CLIP;
        }
        if (value.equals("off")) {
            return 0;
        }
        double c = parseNumber("clip", value);
        if (!(c >= 1) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("clip must be off or a number of at least 1 (times the median norm), not " + value);
        }
        return c;
    }

    private static double number(Map<String, String> options, String key, String rule, double fallback) {
        String value = options.remove(key);
        if (value == null) {
            if (Double.isNaN(fallback)) {
                throw new IllegalArgumentException(rule + " needs " + key + "=... (e.g. " + example(rule) + ")");
            }
            return fallback;
        }
        return parseNumber(rule + " " + key, value);
    }

    private static double parseNumber(String what, String value) {
        try {
            double v = Double.parseDouble(value);
            if (Double.isNaN(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, not '" + value + "'");
        }
    }

    private static String example(String rule) {
        return switch (rule) {
        case "centered-clip" -> "centered-clip:tau=1.0,iterations=3";
        case "krum" -> "krum:f=1";
        default -> "multi-krum:f=1,m=3";
        };
    }
}
