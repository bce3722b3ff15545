package org.daig.experts.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.ExpertDht;
import org.daig.experts.dht.Stored;
import org.daig.experts.gate.BeamSearch.Candidate;
import org.junit.jupiter.api.Test;

class BeamSearchTest {

    /** An exact in-process DHT that counts gets: the search's logic without the network's. */
    private static final class MapDht implements ExpertDht {
        final Map<String, Map<String, Stored>> map = new HashMap<>();
        final List<String> gets = new ArrayList<>();
        long now = 1_000;

        @Override
        public CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt) {
            map.computeIfAbsent(key, k -> new HashMap<>()).put(subkey, new Stored(value, expiresAt));
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public CompletableFuture<Map<String, Stored>> get(String key) {
            gets.add(key);
            Map<String, Stored> live = new HashMap<>();
            map.getOrDefault(key, Map.of()).forEach((s, v) -> {
                if (v.expiresAt() > now) {
                    live.put(s, v);
                }
            });
            return CompletableFuture.completedFuture(live);
        }

        @Override
        public long now() {
            return now;
        }
    }

    private static float[][] scores(ExpertGrid grid, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] s = new float[grid.dimensions()][];
        for (int d = 0; d < s.length; d++) {
            s[d] = new float[grid.size(d)];
            for (int i = 0; i < s[d].length; i++) {
                s[d][i] = (float) r.nextGaussian();
            }
        }
        return s;
    }

    private static double score(ExpertUid uid, float[][] s) {
        double total = 0;
        for (int d = 0; d < uid.dimensions(); d++) {
            total += s[d][uid.coordinate(d)];
        }
        return total;
    }

    private static List<String> uids(List<Candidate> found) {
        return found.stream().map(c -> c.uid().toString()).collect(Collectors.toList());
    }

    @Test
    void onAFullGridItFindsTheGlobalTopK() {
        ExpertGrid grid = new ExpertGrid("ffn", 4, 4);
        MapDht dht = new MapDht();
        List<ExpertUid> all = new ArrayList<>();
        for (long e = 0; e < grid.cells(); e++) {
            all.add(grid.uid(e));
        }
        ExpertAnnouncer.announce(dht, all, "server");
        float[][] s = scores(grid, 11);
        BeamSearch search = new BeamSearch(dht, grid, new NegativeCache(dht::now, 60_000));
        List<Candidate> found = search.find(s, 4).join();
        // on a full 2-d grid the best k experts lie under the best k first indices, so the beam is exact
        List<String> expected = all.stream().sorted(Comparator.comparingDouble((ExpertUid u) -> -score(u, s)))
                .limit(4).map(ExpertUid::toString).collect(Collectors.toList());
        assertEquals(expected, uids(found));
        assertEquals(score(found.get(0).uid(), s), found.get(0).score(), 1e-6);
        assertEquals(4, dht.gets.size(), "one get per first-dimension prefix, k of them");
    }

    @Test
    void deadExpertsAndEmptyPrefixesAreSkippedAndCached() {
        ExpertGrid grid = new ExpertGrid("ffn", 4, 4);
        MapDht dht = new MapDht();
        float[][] s = new float[][] {{4, 3, 2, 1}, {0.4f, 0.3f, 0.2f, 0.1f}};
        // row 0 has no live expert at all; rows 1..3 are full
        List<ExpertUid> live = new ArrayList<>();
        for (long e = 4; e < 16; e++) {
            live.add(grid.uid(e));
        }
        ExpertAnnouncer.announce(dht, live, "server");
        NegativeCache dead = new NegativeCache(dht::now, 60_000);
        BeamSearch search = new BeamSearch(dht, grid, dead);
        List<Candidate> found = search.find(s, 2).join();
        assertEquals(List.of("ffn.1.0", "ffn.1.1"), uids(found));
        assertTrue(dead.isDead("ffn.0"), "the empty prefix is cached as dead");
        // a caller whose call to ffn.1.0 failed marks it; the next search skips it without a get for ffn.0
        dead.markDead("ffn.1.0");
        dht.gets.clear();
        assertEquals(List.of("ffn.1.1", "ffn.1.2"), uids(search.find(s, 2).join()));
        assertFalse(dht.gets.contains("ffn.0"), dht.gets.toString());
        // the marks expire: a new expert in row 0 becomes visible again
        ExpertAnnouncer.announce(dht, List.of(ExpertUid.parse("ffn.0.3")), "new-server");
        dht.now += 60_001;
        dht.map.values().forEach(m -> m.replaceAll((k, v) -> new Stored(v.value(), v.expiresAt() + 120_000)));
        List<Candidate> again = search.find(s, 2).join();
        assertEquals(List.of("ffn.0.3", "ffn.1.0"), uids(again));
        assertEquals("new-server", again.get(0).address());
    }

    @Test
    void expiredAnnouncementsDisappearFromTheSearch() {
        ExpertGrid grid = new ExpertGrid("ffn", 2, 2, 2);
        MapDht dht = new MapDht();
        ExpertAnnouncer.announce(dht, List.of(ExpertUid.parse("ffn.1.1.1")), "a");
        dht.now += 30_000;
        ExpertAnnouncer.announce(dht, List.of(ExpertUid.parse("ffn.0.0.0")), "b");
        float[][] s = {{0, 1}, {0, 1}, {0, 1}};
        BeamSearch search = new BeamSearch(dht, grid, new NegativeCache(dht::now, 1_000));
        assertEquals(List.of("ffn.1.1.1", "ffn.0.0.0"), uids(search.find(s, 2).join()));
        dht.now += 30_001; // a's entries are 60 s old now; it did not re-announce
        assertEquals(List.of("ffn.0.0.0"), uids(search.find(s, 2).join()));
    }

    @Test
    void aOneDimensionalGridWorksToo() {
        ExpertGrid grid = new ExpertGrid("moe", 8);
        MapDht dht = new MapDht();
        ExpertAnnouncer.announce(dht, List.of(ExpertUid.parse("moe.2"), ExpertUid.parse("moe.5"), ExpertUid.parse("moe.7")), "x");
        float[][] s = {{0, 0, 5, 0, 0, 3, 0, 9}};
        assertEquals(List.of("moe.7", "moe.2"), uids(new BeamSearch(dht, grid, new NegativeCache(dht::now, 1)).find(s, 2).join()));
    }

    @Test
    void scoresThatDoNotFitTheGridAreRefused() {
        ExpertGrid grid = new ExpertGrid("ffn", 4, 4);
        MapDht dht = new MapDht();
        BeamSearch search = new BeamSearch(dht, grid, new NegativeCache(dht::now, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> search.find(new float[][] {new float[4]}, 2)).getMessage()
                .contains("has 2 dimensions, the gate gave scores for 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> search.find(new float[][] {new float[4], new float[3]}, 2))
                .getMessage().contains("dimension 1 has 4 indices, the gate gave 3 scores"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> search.find(new float[][] {new float[4], {0, Float.NaN, 0, 0}}, 2)).getMessage().contains("is NaN"));
        assertThrows(IllegalArgumentException.class, () -> search.find(new float[][] {new float[4], new float[4]}, 0));
    }
}
