package org.daig.experts.bench;

import java.util.Locale;

import org.daig.experts.ExpertGrid;
import org.daig.experts.dht.SimNetwork;

/**
 * {@code releng/bench/experts-bench.sh --dht-only}: runs {@link DhtSimulation} and prints its figures,
 * then the bench's last line. Options: {@code --quick}, {@code --peers N}, {@code --grid AxB},
 * {@code --lookups N}, {@code --churn F}, {@code --delay-ms D}, {@code --jitter-ms J}, {@code --drop P},
 * {@code --timeout-ms T}, {@code --window-s S}, {@code --seed S}.
 */
public final class DhtBench {

    private DhtBench() {
    }

    public static void main(String[] args) {
        int peers = 1_000;
        String grid = "128x128";
        int lookups = 10_000;
        double churn = 0.10;
        double delay = 1;
        double jitter = 0;
        double drop = 0;
        long timeout = 200;
        double windowS = 120;
        long seed = 18;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> {
                    peers = 200;
                    grid = "32x32";
                    lookups = 2_000;
                    windowS = 60;
                }
                case "--peers" -> peers = Integer.parseInt(value(args, ++i, a));
                case "--grid" -> grid = value(args, ++i, a);
                case "--lookups" -> lookups = Integer.parseInt(value(args, ++i, a));
                case "--churn" -> churn = Double.parseDouble(value(args, ++i, a));
                case "--delay-ms" -> delay = Double.parseDouble(value(args, ++i, a));
                case "--jitter-ms" -> jitter = Double.parseDouble(value(args, ++i, a));
                case "--drop" -> drop = Double.parseDouble(value(args, ++i, a));
                case "--timeout-ms" -> timeout = Long.parseLong(value(args, ++i, a));
                case "--window-s" -> windowS = Double.parseDouble(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option " + a + " (see releng/bench/experts-bench.sh)");
            }
        }
        ExpertGrid g = ExpertGrid.parse("ffn", grid);
        SimNetwork.Link link = new SimNetwork.Link(delay, jitter, drop, timeout);
        System.out.printf(Locale.ROOT, "dht: %d peers, %d experts (grid %s), %d lookups over %.0f s, %.0f %% of peers replaced meanwhile%n",
                peers, g.cells(), grid, lookups, windowS, churn * 100);
        System.out.printf(Locale.ROOT, "dht: simulated network: %.1f ms one way per message (+ up to %.1f ms jitter), drop %.1f %%, "
                + "timeout %d ms; k=20, alpha=3, 5 replicas, a get answers at the first holder; re-announce 30 s, expiry 60 s; seed %d%n",
                delay, jitter, drop * 100, timeout, seed);
        long t0 = System.nanoTime();
        DhtSimulation.Result r = DhtSimulation.run(new DhtSimulation.Config(peers, g, lookups, churn, link, windowS * 1000, seed));
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "dht: %d of %d lookups found the expert's current server (%.2f %%); latency (simulated) "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms; %.1f requests per lookup%n",
                r.succeeded(), r.lookups(), 100 * r.successRate(), r.p50(), r.p99(), r.max(), r.mean(), r.requestsPerLookup());
        System.out.printf(Locale.ROOT, "dht: failed lookups: %d found nothing, %d found the address of a host that had left%n",
                r.notFound(), r.staleAddress());
        System.out.printf(Locale.ROOT, "dht: %d peers left and were replaced; %d messages in %.0f s simulated, %.1f s wall%n",
                r.left(), r.messages(), r.simulatedSeconds(), wall);
        System.out.printf(Locale.ROOT, "experts: dht p99 %.1f ms over %d lookups, success %.2f %%%n", r.p99(), r.lookups(),
                100 * r.successRate());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
