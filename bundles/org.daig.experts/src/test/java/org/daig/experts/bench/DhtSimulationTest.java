package org.daig.experts.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.daig.experts.ExpertGrid;
import org.daig.experts.dht.SimNetwork;
import org.junit.jupiter.api.Test;

/** The benchmark's DHT lookup test, small enough for the build: 200 peers, 20 of them replaced. */
class DhtSimulationTest {

    private static DhtSimulation.Result run(long seed) {
        return DhtSimulation.run(new DhtSimulation.Config(200, new ExpertGrid("ffn", 16, 16), 1_000, 0.10,
                new SimNetwork.Link(1, 0.5, 0.01, 200), 60_000, seed));
    }

    @Test
    void lookupsFindLiveExpertsWhilePeersComeAndGo() {
        DhtSimulation.Result r = run(18);
        assertEquals(20, r.left());
        assertTrue(r.successRate() >= 0.98, "success " + r);
        // one-way delay 1-1.5 ms: a few round trips, plus the odd timeout on a peer that left or a drop
        assertTrue(r.p50() > 0 && r.p50() < 10, "p50 " + r);
        assertTrue(r.p99() < 250, "p99 " + r);
        assertTrue(r.requestsPerLookup() < 20, "requests per lookup " + r);
    }

    @Test
    void aSeedDeterminesTheRun() {
        assertEquals(run(5), run(5));
    }
}
