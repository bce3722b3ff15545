package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Lease ids: issue time first (so they sort in issue order), then random bits that do not repeat, also past a refill. */
class LeaseIdsTest {

    @Test
    void idsSortInIssueOrderAndNeverRepeat() {
        LeaseIds ids = new LeaseIds();
        long start = 1_764_979_200_000L;
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 2000; i++) { // 16,000 random bytes: several refills of the 4 KiB buffer
            issued.add(ids.next(start + i));
        }
        Set<String> distinct = new HashSet<>(issued);
        assertEquals(issued.size(), distinct.size(), "no id twice");
        Set<String> randomParts = new HashSet<>();
        for (int i = 0; i < issued.size(); i++) {
            String id = issued.get(i);
            assertTrue(id.matches("l[0-9a-f]{28}"), id);
            assertEquals(String.format("l%012x", start + i), id.substring(0, 13), "the issue time in hex");
            randomParts.add(id.substring(13));
        }
        assertEquals(issued.size(), randomParts.size(), "the random part alone does not repeat either");
        List<String> sorted = new ArrayList<>(issued);
        sorted.sort(null);
        assertEquals(issued, sorted, "in issue order");
    }
}
