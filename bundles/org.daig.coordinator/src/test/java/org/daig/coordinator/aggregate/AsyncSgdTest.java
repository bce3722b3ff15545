package org.daig.coordinator.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class AsyncSgdTest {

    private static AggregationStrategy.Update update(float[] delta, int staleness) {
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
            public float[] delta() {
                return delta;
            }

            @Override
            public int staleness() {
                return staleness;
            }
        };
    }

    @Test
    void aFreshUpdateCountsFullyAndAStaleOneByOneOverOnePlusItsStaleness() throws Exception {
        AsyncSgd async = new AsyncSgd("async-apply");
        float[] current = { 1, 1, 1 };
        AggregationStrategy.Outcome fresh = async.aggregate(current, List.of(update(new float[] { 2, 0, -4 }, 0)), null);
        assertArrayEquals(new float[] { 3, 1, -3 }, fresh.next());
        AggregationStrategy.Outcome stale = async.aggregate(current, List.of(update(new float[] { 2, 0, -4 }, 3)), null);
        assertArrayEquals(new float[] { 1.5f, 1, 0 }, stale.next(), "a quarter of the step, 3 versions late");
        assertEquals(List.of(), stale.dropped());
    }

    @Test
    void anUpdateThatWouldMakeTheVersionAbsurdIsLeftOut() throws Exception {
        AggregationStrategy.Outcome outcome = new AsyncSgd("async-queue").aggregate(new float[] { 1, 1 },
                List.of(update(new float[] { 1, 1 }, 0), update(new float[] { 3e6f, 0 }, 0)), null);
        assertArrayEquals(new float[] { 2, 2 }, outcome.next());
        assertEquals(List.of(1), outcome.dropped());
    }
}
