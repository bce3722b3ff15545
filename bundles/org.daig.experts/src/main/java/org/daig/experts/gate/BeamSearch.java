package org.daig.experts.gate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertDht;
import org.daig.experts.dht.Stored;

/**
 * Finds the {@code k} live experts with the best total score, one grid dimension at a time, as
 * hivemind's MoE beam search does: the gate scores every index of every dimension; the search gets
 * the best first-dimension prefixes from the DHT until {@code k} of them have live successors, then
 * repeatedly extends the beam by one dimension (prefix score + the next index's score), keeps the
 * {@code k} best extensions and gets those from the DHT. Cost: about {@code k} gets per dimension
 * (fewer where prefixes are dead), not one per cell. Keys found empty go into the negative cache, and
 * experts and prefixes marked dead there are skipped.
 */
public final class BeamSearch {

    /** A live expert the search found: its uid, where its server is, its total score. */
    public record Candidate(ExpertUid uid, String address, double score) {
    }

    private record Entry(double score, String key, Map<String, Stored> successors) {
    }

    private record Scored(double score, String key, String address) {
    }

    private static final Comparator<Scored> BEST_FIRST = Comparator.comparingDouble(Scored::score).reversed()
            .thenComparing(Scored::key);

    private final ExpertDht dht;
    private final ExpertGrid grid;
    private final NegativeCache dead;

    public BeamSearch(ExpertDht dht, ExpertGrid grid, NegativeCache dead) {
        this.dht = dht;
        this.grid = grid;
        this.dead = dead;
    }

    /**
     * The up to {@code k} best live experts, best first. {@code gridScores[d]} holds one score per index
     * of dimension {@code d}; an expert's score is the sum of its indices' scores.
     */
    public CompletableFuture<List<Candidate>> find(float[][] gridScores, int k) {
        check(gridScores, k);
        List<Scored> first = new ArrayList<>();
        for (int i = 0; i < grid.size(0); i++) {
            String key = grid.prefix() + "." + i;
            if (!dead.isDead(key)) {
                first.add(new Scored(gridScores[0][i], key, null));
            }
        }
        first.sort(BEST_FIRST);
        return initialBeam(first, 0, new ArrayList<>(), k).thenCompose(beam -> extend(beam, 1, gridScores, k));
    }

    private void check(float[][] gridScores, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("beam search needs k >= 1, not " + k);
        }
        if (gridScores.length != grid.dimensions()) {
            throw new IllegalArgumentException("grid " + grid + " has " + grid.dimensions() + " dimensions, the gate gave scores for "
                    + gridScores.length);
        }
        for (int d = 0; d < gridScores.length; d++) {
            if (gridScores[d].length != grid.size(d)) {
                throw new IllegalArgumentException("grid " + grid + ": dimension " + d + " has " + grid.size(d) + " indices, the gate gave "
                        + gridScores[d].length + " scores");
            }
            for (float s : gridScores[d]) {
                if (!Float.isFinite(s)) {
                    throw new IllegalArgumentException("grid " + grid + ": a score of dimension " + d + " is " + s);
                }
            }
        }
    }

    /** Gets the best first-dimension prefixes, {@code k} at a time, until {@code k} are live or none is left. */
    private CompletableFuture<List<Entry>> initialBeam(List<Scored> order, int from, List<Entry> beam, int k) {
        if (beam.size() >= k || from >= order.size()) {
            return CompletableFuture.completedFuture(best(beam, k));
        }
        List<Scored> wave = order.subList(from, Math.min(order.size(), from + k - beam.size()));
        return getAll(wave).thenCompose(found -> {
            beam.addAll(found);
            return initialBeam(order, from + wave.size(), beam, k);
        });
    }

    private CompletableFuture<List<Candidate>> extend(List<Entry> beam, int dimension, float[][] scores, int k) {
        if (dimension == grid.dimensions()) {
            // a 1-d grid: the first-dimension keys are the experts' own keys
            List<Candidate> out = new ArrayList<>();
            for (Entry e : beam) {
                Stored s = e.successors().get("");
                if (s != null) {
                    out.add(new Candidate(ExpertUid.parse(e.key()), s.value(), e.score()));
                }
            }
            return CompletableFuture.completedFuture(out);
        }
        List<Scored> next = new ArrayList<>();
        for (Entry e : beam) {
            e.successors().forEach((sub, stored) -> {
                int c = coordinate(sub, grid.size(dimension));
                String key = e.key() + "." + c;
                if (c >= 0 && !dead.isDead(key)) {
                    next.add(new Scored(e.score() + scores[dimension][c], key, stored.value()));
                }
            });
        }
        next.sort(BEST_FIRST);
        List<Scored> kept = next.size() > k ? next.subList(0, k) : next;
        if (dimension == grid.dimensions() - 1) {
            List<Candidate> out = new ArrayList<>();
            for (Scored s : kept) {
                out.add(new Candidate(grid.check(ExpertUid.parse(s.key())), s.address(), s.score()));
            }
            return CompletableFuture.completedFuture(out);
        }
        if (kept.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return getAll(kept).thenCompose(found -> extend(found, dimension + 1, scores, k));
    }

    /** Gets the keys in parallel; returns those with live values, marking the empty ones dead. */
    private CompletableFuture<List<Entry>> getAll(List<Scored> keys) {
        List<CompletableFuture<Map<String, Stored>>> gets = new ArrayList<>();
        for (Scored s : keys) {
            gets.add(dht.get(s.key()).exceptionally(e -> Map.of()));
        }
        return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Entry> found = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Map<String, Stored> values = gets.get(i).join();
                if (values.isEmpty()) {
                    dead.markDead(keys.get(i).key());
                } else {
                    found.add(new Entry(keys.get(i).score(), keys.get(i).key(), values));
                }
            }
            return found;
        });
    }

    private static List<Entry> best(List<Entry> beam, int k) {
        List<Entry> sorted = new ArrayList<>(beam);
        sorted.sort(Comparator.comparingDouble(Entry::score).reversed().thenComparing(Entry::key));
        return sorted.size() > k ? new ArrayList<>(sorted.subList(0, k)) : sorted;
    }

    /** A subkey as a coordinate below {@code size}, or -1 (a peer's junk must not break the search). */
    private static int coordinate(String subkey, int size) {
        if (subkey.isEmpty() || subkey.length() > 6) {
            return -1;
        }
        int c = 0;
        for (int i = 0; i < subkey.length(); i++) {
            char ch = subkey.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            c = c * 10 + (ch - '0');
        }
        return c < size ? c : -1;
    }
}
