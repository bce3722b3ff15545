package org.daig.coordinator.presence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.daig.api.presence.Presence;
import org.junit.jupiter.api.Test;

class LiveConnectionsTest {

    private static Presence online(long since) {
        return new Presence("p1", "provider", true, since, null);
    }

    private static Presence offline(long since) {
        return new Presence("p1", "provider", false, since, "connection lost");
    }

    @Test
    void anOfflineMessageCountsOnlyForTheLiveConnection() {
        LiveConnections connections = new LiveConnections();
        assertTrue(connections.believe("p1", online(100)));
        assertFalse(connections.believe("p1", offline(99)), "the will of an earlier connection, arriving late");
        assertFalse(connections.believe("p1", offline(1)), "a will someone else registered, guessing the time wrong");
        assertTrue(connections.believe("p1", offline(100)), "the live connection's own will");
        assertTrue(connections.believe("p1", offline(7)), "once offline, nothing is live to protect");
    }

    @Test
    void anOfflineMessageForAClientNeverSeenOnlineIsBelieved() {
        assertTrue(new LiveConnections().believe("p1", offline(5)));
    }
}
