package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.junit.jupiter.api.Test;

/** The scheduler's active leases stay findable by provider and shard through every change. */
class ActiveLeasesTest {

    private static LeaseRow lease(String id, int shard, String provider) {
        return new LeaseRow(id, "p", 0, shard, provider, 0, 1000, LeaseState.ACTIVE);
    }

    @Test
    void findsLeasesByProviderAndShardAsTheyComeAndGo() {
        ActiveLeases leases = new ActiveLeases();
        leases.put("l1", lease("l1", 3, "a"));
        leases.put("l2", lease("l2", 4, "a"));
        leases.put("l3", lease("l3", 3, "b")); // a replicated shard: two holders
        assertEquals(List.of("l1", "l2"), leases.heldBy("a").stream().map(LeaseRow::id).toList(), "oldest first");
        assertEquals(List.of("l1", "l3"), leases.onShard(3).stream().map(LeaseRow::id).toList());
        assertEquals(Set.of("a", "b"), leases.providers());
        assertTrue(leases.isLeased(4));

        leases.remove("l2");
        assertFalse(leases.isLeased(4), "a shard whose only lease ended is open again");
        assertEquals(List.of("l1"), leases.heldBy("a").stream().map(LeaseRow::id).toList());

        leases.put("l1", lease("l1", 5, "c")); // the same id again replaces the lease and its index entries
        assertEquals(List.of(), leases.heldBy("a"));
        assertEquals(List.of("l3"), leases.onShard(3).stream().map(LeaseRow::id).toList());
        assertEquals(Set.of("b", "c"), leases.providers());
        assertEquals(List.of("l3", "l1"), leases.values().stream().map(LeaseRow::id).toList());

        leases.clear();
        assertTrue(leases.values().isEmpty());
        assertEquals(Set.of(), leases.providers());
        assertFalse(leases.isLeased(3));
    }
}
