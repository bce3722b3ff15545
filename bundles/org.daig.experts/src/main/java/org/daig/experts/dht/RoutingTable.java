package org.daig.experts.dht;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kademlia's k-buckets over 64-bit ids: bucket b holds peers whose XOR distance to this node has its
 * highest set bit at b. A bucket keeps its peers least recently seen first and at most {@code k} of
 * them; newcomers to a full bucket wait in a small replacement list and take the place of a peer that
 * failed to answer {@link #MAX_FAILURES} calls in a row (instead of pinging the oldest peer first, as the
 * paper does: failed calls already say the same, and cost nothing extra). One lost packet must not
 * evict a peer: on a lossy network that empties the tables and lookups stop converging.
 */
final class RoutingTable {

    static final int MAX_FAILURES = 3;

    private final long self;
    private final int k;
    private final List<LinkedHashMap<Long, Peer>> buckets = new ArrayList<>(64);
    private final List<Deque<Peer>> replacements = new ArrayList<>(64);
    private final Map<Long, Integer> failures = new HashMap<>();

    RoutingTable(long self, int k) {
        this.self = self;
        this.k = k;
        for (int i = 0; i < 64; i++) {
            buckets.add(new LinkedHashMap<>(16, 0.75f, true));
            replacements.add(new ArrayDeque<>());
        }
    }

    static int bucketOf(long a, long b) {
        return 63 - Long.numberOfLeadingZeros(a ^ b);
    }

    /** Notes that {@code peer} was heard from: moves it to the bucket's recent end, or adds it. */
    synchronized void seen(Peer peer) {
        if (peer.id() == self) {
            return;
        }
        failures.remove(peer.id());
        int b = bucketOf(self, peer.id());
        LinkedHashMap<Long, Peer> bucket = buckets.get(b);
        if (bucket.containsKey(peer.id()) || bucket.size() < k) {
            bucket.put(peer.id(), peer); // access order: a re-put moves it to the end
            return;
        }
        Deque<Peer> spare = replacements.get(b);
        spare.removeIf(p -> p.id() == peer.id());
        spare.addLast(peer);
        if (spare.size() > k) {
            spare.removeFirst();
        }
    }

    /**
     * Notes a call the peer did not answer; after {@link #MAX_FAILURES} in a row it is dropped and the
     * most recently seen replacement takes its place.
     */
    synchronized void failed(Peer peer) {
        if (peer.id() == self || failures.merge(peer.id(), 1, Integer::sum) < MAX_FAILURES) {
            return;
        }
        failures.remove(peer.id());
        int b = bucketOf(self, peer.id());
        if (buckets.get(b).remove(peer.id()) != null) {
            Peer next = replacements.get(b).pollLast();
            if (next != null) {
                buckets.get(b).put(next.id(), next);
            }
        } else {
            replacements.get(b).removeIf(p -> p.id() == peer.id());
        }
    }

    /** Up to {@code n} known peers closest to {@code target} by XOR distance, closest first. */
    synchronized List<Peer> closest(long target, int n, long exclude) {
        List<Peer> all = new ArrayList<>();
        for (LinkedHashMap<Long, Peer> bucket : buckets) {
            for (Iterator<Peer> it = bucket.values().iterator(); it.hasNext();) {
                Peer p = it.next();
                if (p.id() != exclude) {
                    all.add(p);
                }
            }
        }
        all.sort((x, y) -> Long.compareUnsigned(x.id() ^ target, y.id() ^ target));
        return all.size() > n ? new ArrayList<>(all.subList(0, n)) : all;
    }

    synchronized int size() {
        int n = 0;
        for (LinkedHashMap<Long, Peer> bucket : buckets) {
            n += bucket.size();
        }
        return n;
    }
}
