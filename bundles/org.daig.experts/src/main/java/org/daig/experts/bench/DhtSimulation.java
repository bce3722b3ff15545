package org.daig.experts.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.KademliaNode;
import org.daig.experts.dht.Peer;
import org.daig.experts.dht.SimNetwork;
import org.daig.experts.dht.Stored;

/**
 * The DHT lookup test: {@code peers} Kademlia peers on a {@link SimNetwork} host the grid's experts
 * (expert {@code e} on host slot {@code e mod peers}) and announce them every 30 s with a 60 s expiry.
 * Once every host has announced, {@code lookups} gets of random expert uids from random peers are
 * spread over the measurement window while {@code churn × peers} peers leave at random times, each
 * replaced at once by a new peer (new id) that joins and announces the experts of the one that left.
 * A lookup succeeds when it returns the address of the expert's current host. Latency is simulated
 * time: every message takes the link's one-way delay, and a peer that left costs the caller a timeout.
 */
public final class DhtSimulation {

    /** What to simulate. {@code windowMillis}: how long (simulated) the lookups are spread over. */
    public record Config(int peers, ExpertGrid grid, int lookups, double churn, SimNetwork.Link link, double windowMillis,
            long seed) {

        public Config {
            if (peers < 2 || lookups < 1 || churn < 0 || churn > 1 || windowMillis <= 0) {
                throw new IllegalArgumentException("simulation needs peers >= 2, lookups >= 1, 0 <= churn <= 1, window > 0: " + this);
            }
        }
    }

    /** The outcome; latencies in simulated milliseconds. */
    public record Result(int lookups, int succeeded, int notFound, int staleAddress, double p50, double p99, double max, double mean,
            double requestsPerLookup, int left, long messages, double simulatedSeconds) {

        public double successRate() {
            return (double) succeeded / lookups;
        }
    }

    private final Config config;
    private final SimNetwork net;
    private final SplittableRandom random;
    private final KademliaNode[] host; // current node of each host slot
    private final List<List<ExpertUid>> experts = new ArrayList<>();
    private final List<KademliaNode> joined = new ArrayList<>(); // peers that finished joining and are still online
    private final int[] missing = new int[1];
    private int nextAddress;

    private DhtSimulation(Config config) {
        this.config = config;
        this.net = new SimNetwork(config.link(), config.seed());
        this.random = net.random();
        this.host = new KademliaNode[config.peers()];
        for (int i = 0; i < config.peers(); i++) {
            experts.add(new ArrayList<>());
        }
        for (long e = 0; e < config.grid().cells(); e++) {
            experts.get((int) (e % config.peers())).add(config.grid().uid(e));
        }
    }

    public static Result run(Config config) {
        return new DhtSimulation(config).simulate();
    }

    private KademliaNode newNode() {
        Peer peer = new Peer(random.nextLong(), "sim-" + nextAddress++);
        KademliaNode node = new KademliaNode(peer, KademliaNode.Settings.DEFAULT, net);
        node.attach(net.connect(peer, node));
        return node;
    }

    private Result simulate() {
        // everyone joins through a random earlier peer, 2 ms apart
        host[0] = newNode();
        joined.add(host[0]);
        for (int i = 1; i < config.peers(); i++) {
            int slot = i;
            net.schedule(i * 2.0, () -> {
                KademliaNode node = newNode();
                host[slot] = node;
                node.join(randomJoined().self()).thenRun(() -> joined.add(node));
            });
        }
        double joinedAt = config.peers() * 2.0 + 1_000;
        for (int slot = 0; slot < config.peers(); slot++) {
            announceEvery30s(slot, null, joinedAt + random.nextDouble() * ExpertAnnouncer.REFRESH_MILLIS);
        }
        double start = joinedAt + ExpertAnnouncer.REFRESH_MILLIS + 1_000;
        double end = start + config.windowMillis();
        int leaving = (int) Math.round(config.churn() * config.peers());
        for (int i = 0; i < leaving; i++) {
            net.schedule(start + random.nextDouble() * config.windowMillis(), this::replaceOne);
        }
        double[] latency = new double[config.lookups()];
        boolean[] ok = new boolean[config.lookups()];
        int[] done = new int[1];
        long[] requests = new long[1];
        for (int i = 0; i < config.lookups(); i++) {
            int n = i;
            net.schedule(start + random.nextDouble() * config.windowMillis(), () -> lookup(n, latency, ok, done, requests));
        }
        net.runUntil(end);
        while (done[0] < config.lookups()) {
            net.runUntil(net.nowExact() + 1_000);
        }
        double[] sorted = latency.clone();
        Arrays.sort(sorted);
        int succeeded = 0;
        for (boolean b : ok) {
            succeeded += b ? 1 : 0;
        }
        return new Result(config.lookups(), succeeded, missing[0], config.lookups() - succeeded - missing[0],
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1],
                Arrays.stream(sorted).average().orElse(0), (double) requests[0] / config.lookups(), leaving, net.messages(),
                net.nowExact() / 1000);
    }

    private void lookup(int n, double[] latency, boolean[] ok, int[] done, long[] requests) {
        KademliaNode from = randomJoined();
        long e = (long) (random.nextDouble() * config.grid().cells());
        ExpertUid uid = config.grid().uid(e);
        String expected = host[(int) (e % config.peers())].self().address();
        double t0 = net.nowExact();
        int sentBefore = from.requestsSent();
        from.get(uid.toString()).whenComplete((values, error) -> {
            latency[n] = net.nowExact() - t0;
            requests[0] += from.requestsSent() - sentBefore;
            Stored s = error == null ? values.get("") : null;
            ok[n] = s != null && s.value().equals(expected);
            missing[0] += s == null ? 1 : 0;
            done[0]++;
        });
    }

    /** A random host leaves; a new peer takes over its slot, joins and announces its experts at once. */
    private void replaceOne() {
        int slot = random.nextInt(config.peers());
        KademliaNode old = host[slot];
        net.disconnect(old.self().address());
        joined.remove(old);
        KademliaNode node = newNode();
        host[slot] = node;
        node.join(randomJoined().self()).thenRun(() -> {
            joined.add(node);
            announceEvery30s(slot, node, net.nowExact());
        });
    }

    private void announceEvery30s(int slot, KademliaNode node, double at) {
        net.schedule(at, () -> {
            KademliaNode current = host[slot];
            if (node != null && current != node) {
                return; // this host left; its successor announces on its own schedule
            }
            ExpertAnnouncer.announce(current, experts.get(slot), current.self().address());
            announceEvery30s(slot, current, at + ExpertAnnouncer.REFRESH_MILLIS);
        });
    }

    private KademliaNode randomJoined() {
        return joined.get(random.nextInt(joined.size()));
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
