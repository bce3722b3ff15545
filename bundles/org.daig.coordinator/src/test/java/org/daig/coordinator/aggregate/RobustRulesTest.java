package org.daig.coordinator.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Each rule against vectors worked out by hand (the working is in the comments): five deltas of
 * two coordinates, one of them (d) far from the others.
 */
class RobustRulesTest {

    private static final List<float[]> DELTAS = List.of(new float[] { 1, 10 }, new float[] { 2, 29 }, new float[] { 3, -30 },
            new float[] { 100, 0 }, new float[] { 5, 60 });
    private static final long[] EQUAL = { 1, 1, 1, 1, 1 };
    private static final float EPS = 1e-4f;

    @Test
    void theMeanWeighsBySamples() {
        // (1+2+3+100+5)/5, (10+29-30+0+60)/5
        assertArrayEquals(new float[] { 22.2f, 13.8f }, new WeightedMean().combine(DELTAS, EQUAL), EPS);
        // e counts 6 times: (1+2+3+100+30)/10, (10+29-30+0+360)/10
        assertArrayEquals(new float[] { 13.6f, 36.9f }, new WeightedMean().combine(DELTAS, new long[] { 1, 1, 1, 1, 6 }), EPS);
    }

    @Test
    void theMedianIsTakenPerCoordinate() {
        // sorted: 1 2 [3] 5 100 and -30 0 [10] 29 60
        assertArrayEquals(new float[] { 3, 10 }, new CoordinateMedian().combine(DELTAS, EQUAL), EPS);
        // even count: the mean of the middle two, (2+3)/2 and (0+10)/2
        assertArrayEquals(new float[] { 2.5f, 5 }, new CoordinateMedian().combine(DELTAS.subList(0, 4), EQUAL), EPS);
    }

    @Test
    void theTrimmedMeanDropsTheExtremesOfEachCoordinate() {
        // β=0.2 of 5 drops one at each end: (2+3+5)/3, (0+10+29)/3
        assertArrayEquals(new float[] { 10f / 3, 13 }, new TrimmedMean(0.2).combine(DELTAS, EQUAL), EPS);
        // β=0.1 of 5 drops nothing: the plain mean
        assertArrayEquals(new float[] { 22.2f, 13.8f }, new TrimmedMean(0.1).combine(DELTAS, EQUAL), EPS);
        assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(0.5));
    }

    @Test
    void krumKeepsTheDeltaClosestToItsNeighbours() {
        // n=5, f=1: each delta's 2 smallest squared distances; a: 362+1604=1966, b: 362+970=1332, c: 1604+3482=5086,
        // d: 9901+10309=20210, e: 970+2516=3486. Krum picks b; Multi-Krum (m=3) averages b, a and e.
        assertArrayEquals(new float[] { 2, 29 }, new Krum(1, 1).combine(DELTAS, EQUAL), EPS);
        assertArrayEquals(new float[] { 8f / 3, 33 }, new Krum(1, 3).combine(DELTAS, EQUAL), EPS);
    }

    @Test
    void centeredClipMovesFromTheMedianByClippedOffsets() {
        // start (3,10); offsets a (-2,0) kept, b (-1,19)·10/19.026, c (0,-40)·0.25, d (97,-10)·10/97.514, e (2,50)·10/50.040;
        // their mean added: (4.56427, 11.79054); a second iteration from there: (5.48484, 13.16669)
        assertArrayEquals(new float[] { 4.56427f, 11.79054f }, new CenteredClip(10, 1).combine(DELTAS, EQUAL), EPS);
        assertArrayEquals(new float[] { 5.48484f, 13.16669f }, new CenteredClip(10, 2).combine(DELTAS, EQUAL), EPS);
    }

    @Test
    void clippingShortensOnlyDeltasBeyondTheBound() {
        // norms 10.05, 29.07, 30.15, 100, 60.21: median 30.1496, bound 2× = 60.2993; only d is beyond it
        List<float[]> clipped = RobustAggregation.clipped(DELTAS, 2);
        assertArrayEquals(new float[] { 60.2993f, 0 }, clipped.get(3), EPS);
        for (int k : new int[] { 0, 1, 2, 4 }) {
            assertSame(DELTAS.get(k), clipped.get(k));
        }
        assertArrayEquals(new float[] { 100, 0 }, DELTAS.get(3), "the given delta is left as it was");
    }

    @Test
    void theDefaultIsTheMeanOfClippedDeltas() {
        RobustAggregation rule = RobustAggregation.parse(null);
        assertEquals("mean", rule.describe());
        // d clipped to (60.2993, 0): ((1+2+3+60.2993+5)/5, 13.8)
        assertArrayEquals(new float[] { 14.25986f, 13.8f }, rule.step(DELTAS, EQUAL), EPS);
        assertArrayEquals(new float[] { 22.2f, 13.8f }, RobustAggregation.parse("mean:clip=off").step(DELTAS, EQUAL), EPS);
    }

    @Test
    void rulesParseFromTheirTextAndSayWhatIsWrong() {
        assertEquals("trimmed-mean:beta=0.2", RobustAggregation.parse("trimmed-mean:beta=0.2").describe());
        assertEquals("centered-clip:tau=1.5,iterations=3", RobustAggregation.parse("Centered-Clip:tau=1.5").describe());
        assertEquals("multi-krum:f=2,m=4,clip=off", RobustAggregation.parse("multi-krum:f=2,m=4,clip=off").describe());
        assertEquals("median:clip=3.0", RobustAggregation.parse("median:clip=3").describe());
        for (String[] bad : new String[][] { { "average", "is not a rule" }, { "krum", "krum needs f=" }, { "trimmed-mean:beta=x", "number" },
                { "trimmed-mean:beta=0.7", "below 0.5" }, { "median:tau=1", "takes no option tau" }, { "mean:clip=0.5", "at least 1" },
                { "centered-clip:tau", "not key=value" } }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RobustAggregation.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
    }
}
