package org.daig.coordinator.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LockFreeSgdTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    /** Each update's reader waits here until a second one reads another update at the same time. */
    private CountDownLatch together = new CountDownLatch(0);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private AggregationStrategy.Update update(float[] delta, int staleness) {
        return new AggregationStrategy.Update() {
            @Override
            public long samples() {
                return 10;
            }

            @Override
            public double norm() {
                return Vectors.norm(delta);
            }

            @Override
            public float[] delta() throws IOException {
                together.countDown();
                try {
                    if (!together.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("no other thread read an update while this one did");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                return delta;
            }

            @Override
            public int staleness() {
                return staleness;
            }
        };
    }

    /**
     * Racing adds on the same values, two updates read at the same time at least: with plain
     * writes (Hogwild) some would be lost; here every one counts.
     */
    @Test
    void updatesAddedConcurrentlyToTheSameValuesLoseNothing() throws Exception {
        together = new CountDownLatch(2);
        int n = 50_000;
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        for (int k = 0; k < 64; k++) {
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            updates.add(update(ones, k % 2)); // half fresh (a step of 1), half one version stale (a step of 1/2)
        }
        AggregationStrategy.Outcome outcome = new LockFreeSgd("async-lockfree", pool, 8).aggregate(new float[n], updates, null);
        float[] expected = new float[n];
        java.util.Arrays.fill(expected, 32 * 1f + 32 * 0.5f);
        assertArrayEquals(expected, outcome.next());
        assertEquals(List.of(), outcome.dropped());
    }

    @Test
    void theSameUpdatesGiveWhatAsyncSgdGivesAppliedOneAfterAnotherFromOneVersion() throws Exception {
        Random random = new Random(7);
        float[] current = new float[1000];
        for (int i = 0; i < current.length; i++) {
            current[i] = (float) random.nextGaussian();
        }
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        float[] expected = current.clone();
        for (int k = 0; k < 12; k++) {
            float[] delta = new float[current.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = (float) (0.01 * random.nextGaussian());
            }
            updates.add(update(delta, k % 4));
            expected = new AsyncSgd("async-apply").aggregate(expected, List.of(update(delta, k % 4)), null).next();
        }
        float[] next = new LockFreeSgd("async-lockfree", pool, 4).aggregate(current, updates, null).next();
        assertArrayEquals(expected, next, 1e-5f, "the same sum, in whichever order the threads added");
    }

    @Test
    void anUpdateThatWouldMakeTheVersionAbsurdIsLeftOutAndTheOthersCount() throws Exception {
        AggregationStrategy.Outcome outcome = new LockFreeSgd("async-lockfree", pool, 3).aggregate(new float[] { 1, 1 },
                List.of(update(new float[] { 1, 1 }, 0), update(new float[] { 3e6f, 0 }, 0), update(new float[] { Float.NaN, 0 }, 0),
                        update(new float[] { 2, 2 }, 1)),
                null);
        assertArrayEquals(new float[] { 3, 3 }, outcome.next());
        assertEquals(List.of(1, 2), outcome.dropped());
    }
}
