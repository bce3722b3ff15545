package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class AcceptedDeltasTest {

    private static String delta(int n) {
        return String.format("%064x", n * 7919L);
    }

    @Test
    void everyAcceptedDeltaNamesItsTaskAfterTheTableHasGrown() {
        AcceptedDeltas deltas = new AcceptedDeltas();
        for (int i = 0; i < 20_000; i++) {
            deltas.add(delta(i), i / 1000, i % 1000);
        }
        assertEquals(20_000, deltas.size());
        for (int i = 0; i < 20_000; i += 997) {
            List<int[]> tasks = deltas.candidates(delta(i));
            int task = i;
            assertTrue(tasks.stream().anyMatch(t -> t[0] == task / 1000 && t[1] == task % 1000), "delta " + i);
        }
        assertTrue(deltas.candidates(delta(20_001)).isEmpty(), "a delta never accepted (no 32-bit hash in common here)");
    }

    @Test
    void aDeltaAcceptedTwiceAndAHashCollisionAreAllCandidatesForTheCallerToConfirm() {
        AcceptedDeltas deltas = new AcceptedDeltas();
        deltas.add("Aa", 0, 1); // "Aa" and "BB" have the same String.hashCode
        deltas.add("BB", 2, 3);
        deltas.add("Aa", -1, 7); // negative rounds and shards survive the packing
        List<int[]> candidates = deltas.candidates("Aa");
        assertEquals(3, candidates.size());
        assertArrayEquals(new int[] { -1, 7 }, candidates.stream().filter(t -> t[1] == 7).findFirst().orElseThrow());
    }
}
