package org.daig.product.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13's benchmark: the demo's MLP on Fashion-MNIST, trained by simulated volunteers on a real
 * coordinator product, clean and with 1 of 4 and 7 of 16 volunteers attacking, for each attack
 * and each rule. Ends with {@code byzantine: worst accuracy drop X.XX points (attack A, rule R);
 * banned N of M}.
 *
 * <pre>releng/bench/byzantine-bench.sh [--quick] [--checks off]</pre>
 */
public final class ByzantineBench {

    private ByzantineBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean spotChecks = !option(args, "--checks", "on").equals("off");
        Path dir = Path.of(option(args, "--data", "work/byzantine-bench/data"));
        Path work = Path.of(option(args, "--work", "work/byzantine-bench"));
        int rows = Integer.parseInt(option(args, "--rows", quick ? "3000" : "6000"));
        ByzantineGrid.Data data = new ByzantineGrid.Data(Npy.firstRows(dir.resolve("train_x.npy"), rows, work.resolve("train_x.npy")),
                Npy.firstRows(dir.resolve("train_y.npy"), rows, work.resolve("train_y.npy")), dir.resolve("test_x.npy"),
                dir.resolve("test_y.npy"), Path.of(option(args, "--model", work.resolve("mlp.h5").toString())));
        List<int[]> groups = quick ? List.of(new int[] { 4, 1 }) : List.of(new int[] { 4, 1 }, new int[] { 16, 7 });
        List<Attack> attacks = quick ? List.of(Attack.NAN, Attack.SIGN_FLIP, Attack.LABEL_FLIP, Attack.LITTLE)
                : List.of(Attack.values()).subList(1, Attack.values().length);
        System.out.printf(Locale.ROOT, "machine: %d cores; Fashion-MNIST, first %d training rows, 10,000 test rows; %s; %s; spot checks %s%n",
                Runtime.getRuntime().availableProcessors(), rows, data.model().getFileName(), quick ? "quick" : "full",
                spotChecks ? "on (shipped settings)" : "off");

        List<ByzantineGrid.Figures> attacked = new ArrayList<>();
        Map<String, Double> clean = new LinkedHashMap<>();
        try (ByzantineGrid grid = new ByzantineGrid(Files.createDirectories(work.resolve("grid")), data, 2, spotChecks)) {
            for (int[] group : groups) {
                int n = group[0];
                int m = group[1];
                ByzantineGrid.Setup setup = new ByzantineGrid.Setup(n, 0, Attack.NONE, "mean", 2 * n, n, 2, 1, 32, 1);
                grid.run(setup, Duration.ofMinutes(5)); // warms up the coordinator and the workers: not counted
                ByzantineGrid.Figures plain = grid.run(setup, Duration.ofMinutes(5));
                System.out.println(plain.line(plain.accuracy(), plain.aggregationMs()));
                for (String rule : rules(n, m, plain.medianNorm(), quick)) {
                    ByzantineGrid.Figures baseline = rule.equals("mean") ? plain
                            : grid.run(setup.with(n, 0, Attack.NONE, rule), Duration.ofMinutes(5));
                    if (baseline != plain) {
                        System.out.println(baseline.line(baseline.accuracy(), plain.aggregationMs()));
                    }
                    clean.put(n + "/" + rule, baseline.accuracy());
                    for (Attack attack : attacks) {
                        ByzantineGrid.Figures f = grid.run(setup.with(n, m, attack, rule), Duration.ofMinutes(5));
                        System.out.println(f.line(baseline.accuracy(), plain.aggregationMs()));
                        attacked.add(f);
                    }
                }
            }
        }
        ByzantineGrid.Figures worst = null;
        double worstDrop = Double.NEGATIVE_INFINITY;
        int banned = 0;
        int attackers = 0;
        for (ByzantineGrid.Figures f : attacked) {
            double drop = 100 * (clean.get(f.setup().volunteers() + "/" + f.setup().rule()) - f.accuracy());
            if (Double.isNaN(f.accuracy())) {
                drop = Double.POSITIVE_INFINITY; // the project did not complete
            }
            if (drop > worstDrop) {
                worstDrop = drop;
                worst = f;
            }
            banned += f.banned();
            attackers += f.setup().malicious();
        }
        System.out.printf(Locale.ROOT, "byzantine: worst accuracy drop %.2f points (attack %s, rule %s); banned %d of %d%n", worstDrop,
                worst.setup().attack().label, worst.setup().rule(), banned, attackers);
    }

    /** The default rule and each robust one, with options that suit n volunteers of whom m may attack. */
    static List<String> rules(int n, int m, double medianNorm, boolean quick) {
        if (quick) {
            return List.of("mean", "median");
        }
        double beta = Math.min(0.49, (double) m / n);
        return List.of("mean", "median", String.format(Locale.ROOT, "trimmed-mean:beta=%.2f", beta),
                String.format(Locale.ROOT, "centered-clip:tau=%.3g,iterations=3", medianNorm), "krum:f=" + m,
                "multi-krum:f=" + m + ",m=" + (n - m));
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
