package org.daig.coordinator.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several parameter servers give exactly the version one gives, for every strategy that splits. */
class ParameterShardsTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    private static List<AggregationStrategy.Update> updates(int n, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            float[] delta = new float[n];
            for (int i = 0; i < n; i++) {
                delta[i] = (float) (random.nextDouble() - 0.5) * (j == 0 ? 50 : 1); // the first is an outlier the clipping shortens
            }
            int staleness = j;
            long samples = 10 + j;
            updates.add(new AggregationStrategy.Update() {
                @Override
                public long samples() {
                    return samples;
                }

                @Override
                public double norm() {
                    return Vectors.norm(delta);
                }

                @Override
                public float[] delta() {
                    return delta;
                }

                @Override
                public int staleness() {
                    return staleness;
                }
            });
        }
        return updates;
    }

    @Test
    void rangesCoverTheVectorOnceAndEvenly() {
        List<ParameterShards.Range> ranges = ParameterShards.split(10, 3);
        assertEquals(List.of(new ParameterShards.Range(0, 3), new ParameterShards.Range(3, 6), new ParameterShards.Range(6, 10)), ranges);
        assertEquals(1, ParameterShards.split(2, 1).size());
    }

    @Test
    void threeShardsMakeTheVersionOneMakesBitForBit() throws Exception {
        float[] current = new float[10_001];
        java.util.Arrays.fill(current, 0.25f);
        List<AggregationStrategy.Update> updates = updates(current.length, 4, 3);
        ParameterShards three = new ParameterShards(pool, 3);
        for (AggregationStrategy strategy : List.of(new KBatchSyncSgd(), new AsyncSgd("async-apply"))) {
            AggregationStrategy.Outcome whole = strategy.aggregate(current, updates, RobustAggregation.DEFAULT);
            AggregationStrategy.Outcome sharded = three.aggregate(strategy, current, updates, RobustAggregation.DEFAULT);
            assertArrayEquals(whole.next(), sharded.next(), strategy.name());
            assertEquals(whole.dropped(), sharded.dropped());
        }
        assertTrue(ParameterShards.splits(new KBatchSyncSgd(), RobustAggregation.DEFAULT));
        assertFalse(ParameterShards.splits(new KBatchSyncSgd(), RobustAggregation.parse("krum:f=1")), "Krum chooses by whole-vector distances");
    }

    @Test
    void whenShardsWouldLeaveOutDifferentUpdatesOneShardDecides() throws Exception {
        float[] current = new float[6];
        List<AggregationStrategy.Update> updates = new ArrayList<>(updates(6, 2, 4));
        float[] absurd = { 0, 0, 0, 0, 0, 5e6f }; // absurd only in the last shard's range
        updates.add(new AggregationStrategy.Update() {
            @Override
            public long samples() {
                return 1;
            }

            @Override
            public double norm() {
                return 0.1; // as small as the intake would never measure it: the clipping lets it through
            }

            @Override
            public float[] delta() {
                return absurd;
            }
        });
        AggregationStrategy async = new AsyncSgd("async-apply");
        AggregationStrategy.Outcome sharded = new ParameterShards(pool, 3).aggregate(async, current, updates, RobustAggregation.DEFAULT);
        assertEquals(List.of(2), sharded.dropped(), "left out everywhere, not only in the range it spoils");
        assertArrayEquals(async.aggregate(current, updates, RobustAggregation.DEFAULT).next(), sharded.next());
    }
}
