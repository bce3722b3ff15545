package org.daig.experts.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private static Peer peer(long id) {
        return new Peer(id, "p" + id);
    }

    @Test
    void aFullBucketKeepsNewcomersAsReplacementsForPeersThatFail() {
        RoutingTable table = new RoutingTable(0, 2);
        // ids 4..7 share bucket 2 (highest differing bit 2) relative to 0
        table.seen(peer(4));
        table.seen(peer(5));
        table.seen(peer(6));
        table.seen(peer(7));
        assertEquals(2, table.size());
        assertEquals(List.of(peer(4), peer(5)), table.closest(4, 10, 77));
        table.failed(peer(4));
        table.failed(peer(4));
        assertEquals(List.of(peer(4), peer(5)), table.closest(4, 10, 77), "two failures in a row are not enough");
        table.failed(peer(4));
        // the most recently seen replacement moves in
        assertEquals(List.of(peer(5), peer(7)), table.closest(4, 10, 77));
        table.failed(peer(5));
        table.seen(peer(5)); // it answered after all: the count starts again
        table.failed(peer(5));
        table.failed(peer(5));
        assertEquals(List.of(peer(5), peer(7)), table.closest(4, 10, 77));
        table.failed(peer(5));
        assertEquals(List.of(peer(6), peer(7)), table.closest(6, 10, 77));
        table.seen(peer(0)); // itself: ignored
        assertEquals(2, table.size());
    }

    @Test
    void closestIsByXorDistance() {
        RoutingTable table = new RoutingTable(0, 20);
        for (long id : new long[] {1, 2, 3, 8, 9, 0x8000_0000_0000_0000L, -1L}) {
            table.seen(peer(id));
        }
        assertEquals(List.of(peer(9), peer(8), peer(1)), table.closest(9, 3, 77));
        assertEquals(List.of(peer(-1L), peer(0x8000_0000_0000_0000L)), table.closest(-2L, 2, 77));
        assertEquals(List.of(peer(8), peer(1)), table.closest(9, 2, 9));
        assertEquals(63, RoutingTable.bucketOf(0, -1L));
        assertEquals(0, RoutingTable.bucketOf(4, 5));
    }
}
