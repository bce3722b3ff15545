package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Several parameter servers: the parameter vector cut into contiguous ranges, each applied by a
 * shard of its own (DistNet's fifth strategy). Here a shard is a thread of the coordinator; a shard
 * sees only its range of the current parameters and of each update (plus the update's whole-vector
 * norm, for clipping), so the same contract could run on another coordinator.
 *
 * <p>Readers never see a torn mix: the next version is published (stored and committed by the
 * caller) only when every shard has applied the same updates; should the shards disagree on which
 * updates to leave out (one that makes some range non-finite), the whole vector is aggregated again
 * by one shard, as without sharding. Only rules that work value by value split this way (the
 * weighted mean with its norm clipping, and the asynchronous step); the others (median, trimmed
 * mean, centered clip, Krum) clip or choose by whole-vector distances and run as one shard.
 */
public final class ParameterShards {

    /** A shard's range of parameter indexes, {@code [from, to)}. */
    public record Range(int from, int to) {

        int length() {
            return to - from;
        }
    }

    private final ExecutorService pool;
    private final int shards;

    /** @param pool runs the shards; {@code shards} ranges (1: no sharding) */
    public ParameterShards(ExecutorService pool, int shards) {
        this.pool = pool;
        this.shards = Math.max(1, shards);
    }

    public int shards() {
        return shards;
    }

    /** {@code shards} contiguous ranges covering {@code [0, length)}, as equal as can be. */
    public static List<Range> split(int length, int shards) {
        int n = Math.max(1, Math.min(shards, Math.max(1, length)));
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranges.add(new Range((int) ((long) length * i / n), (int) ((long) length * (i + 1) / n)));
        }
        return ranges;
    }

    /** Whether this strategy and rule work value by value, so that shards may apply ranges independently. */
    public static boolean splits(AggregationStrategy strategy, RobustAggregation rule) {
        return strategy instanceof AsyncSgd || strategy instanceof KBatchSyncSgd && rule.rule() instanceof WeightedMean;
    }

    /** The strategy's outcome, computed range by range by the shards where it splits, else as a whole. */
    public AggregationStrategy.Outcome aggregate(AggregationStrategy strategy, float[] current, List<? extends AggregationStrategy.Update> updates,
            RobustAggregation rule) throws IOException {
        if (shards == 1 || !splits(strategy, rule) || current.length < shards) {
            return strategy.aggregate(current, updates, rule);
        }
        // each update is read once; the shards read their ranges of it
        List<float[]> deltas = new ArrayList<>();
        for (AggregationStrategy.Update u : updates) {
            deltas.add(u.delta());
        }
        List<Range> ranges = split(current.length, shards);
        List<Future<AggregationStrategy.Outcome>> parts = new ArrayList<>();
        for (Range range : ranges) {
            float[] slice = Arrays.copyOfRange(current, range.from(), range.to());
            List<AggregationStrategy.Update> sliced = new ArrayList<>();
            for (int k = 0; k < updates.size(); k++) {
                sliced.add(slice(updates.get(k), deltas.get(k), range));
            }
            parts.add(pool.submit(() -> strategy.aggregate(slice, sliced, rule)));
        }
        float[] next = new float[current.length];
        List<Integer> dropped = null;
        for (int i = 0; i < ranges.size(); i++) {
            AggregationStrategy.Outcome part = get(parts.get(i));
            if (dropped != null && !dropped.equals(part.dropped())) {
                return strategy.aggregate(current, updates, rule); // the shards left out different updates: one shard decides
            }
            dropped = part.dropped();
            System.arraycopy(part.next(), 0, next, ranges.get(i).from(), ranges.get(i).length());
        }
        return new AggregationStrategy.Outcome(next, dropped);
    }

    private static AggregationStrategy.Update slice(AggregationStrategy.Update whole, float[] delta, Range range) {
        return new AggregationStrategy.Update() {
            @Override
            public long samples() {
                return whole.samples();
            }

            @Override
            public double norm() {
                return whole.norm(); // clipping bounds the whole update, whichever range a shard holds
            }

            @Override
            public int staleness() {
                return whole.staleness();
            }

            @Override
            public float[] delta() {
                return Arrays.copyOfRange(delta, range.from(), range.to());
            }
        };
    }

    private static AggregationStrategy.Outcome get(Future<AggregationStrategy.Outcome> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the shards aggregated", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }
}
