package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The blob plane reads these grants on Jetty's threads while the scheduler changes them. */
class LeaseGrantsTest {

    private static LeaseGrants.Grant grant(String lease, String provider, long issuedAt, long deadline, String... blobs) {
        return new LeaseGrants.Grant(lease, provider, "p1", issuedAt, deadline, 10, Set.of(blobs));
    }

    @Test
    void aProviderReadsWhatItsLiveLeasesNameAndNothingElse() {
        LeaseGrants grants = new LeaseGrants();
        grants.add(grant("l2", "prov-a", 200, 1_000, "x2", "params"));
        grants.add(grant("l1", "prov-a", 100, 500, "x1", "params"));
        grants.add(grant("l3", "prov-b", 100, 1_000, "x3"));
        assertEquals(List.of("l1", "l2"), grants.live("prov-a", 0).stream().map(LeaseGrants.Grant::leaseId).toList(), "oldest first");
        assertTrue(grants.mayRead("prov-a", "x1", 499));
        assertFalse(grants.mayRead("prov-a", "x1", 500), "past its deadline");
        assertTrue(grants.mayRead("prov-a", "params", 500), "the other lease still needs it");
        assertFalse(grants.mayRead("prov-a", "x3", 0), "another provider's shard");
        assertFalse(grants.mayRead("prov-c", "x1", 0), "no lease at all");

        grants.remove("prov-a", "l2");
        assertEquals(List.of("l1"), grants.live("prov-a", 0).stream().map(LeaseGrants.Grant::leaseId).toList());
        grants.remove("prov-b", "l1"); // not prov-b's: nothing happens
        assertTrue(grants.mayRead("prov-a", "x1", 0));
        grants.remove("prov-a", "l1");
        assertEquals(List.of(), grants.live("prov-a", 0));
        grants.clear();
        assertFalse(grants.mayRead("prov-b", "x3", 0));
    }

    @Test
    void grantingALeaseAgainReplacesIt() {
        LeaseGrants grants = new LeaseGrants();
        grants.add(grant("l1", "prov-a", 100, 1_000, "old-model"));
        grants.add(grant("l1", "prov-a", 100, 1_000, "canonical-model"));
        assertEquals(1, grants.live("prov-a", 0).size());
        assertFalse(grants.mayRead("prov-a", "old-model", 0));
        assertTrue(grants.mayRead("prov-a", "canonical-model", 0));
    }
}
