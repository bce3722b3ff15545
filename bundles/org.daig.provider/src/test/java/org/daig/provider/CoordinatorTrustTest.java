package org.daig.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.daig.provider.CoordinatorTrust.Decision;
import org.daig.provider.CoordinatorTrust.Seen;
import org.junit.jupiter.api.Test;

/** Which coordinator a provider works for, and where it takes blobs from. */
class CoordinatorTrustTest {

    private static final Seen C1 = new Seen("c1", true, "http://grid.example:7700/api/status");
    private static final Seen C2 = new Seen("c2", true, "http://other.example:7700/api/status");
    private static final Seen C2_OFFLINE = new Seen("c2", false, "http://other.example:7700/api/status");

    @Test
    void theOnlyCoordinatorOnlineIsTrusted() {
        Decision d = CoordinatorTrust.decide("", null, List.of(C1, C2_OFFLINE));
        assertTrue(d.trusted());
        assertEquals("c1", d.id());
        assertEquals(C1.statusUrl(), d.statusUrl());
    }

    @Test
    void twoOnlineAndNoneConfiguredOrPinnedMeansNoTaskAndSaysWhy() {
        Decision d = CoordinatorTrust.decide(" ", null, List.of(C2, C1));
        assertFalse(d.trusted());
        assertTrue(d.refusal().contains("c1 and c2 are both online") && d.refusal().contains("coordinatorId"), d.refusal());
    }

    @Test
    void thePinnedOneStaysTrustedWhenAnotherAppearsAndIsNotReplacedWhenItGoesAway() {
        assertEquals("c1", CoordinatorTrust.decide("", "c1", List.of(C1, C2)).id(), "a newcomer does not take over");
        Decision gone = CoordinatorTrust.decide("", "c1", List.of(new Seen("c1", false, C1.statusUrl()), C2));
        assertFalse(gone.trusted(), "the pinned coordinator went away: the other is not trusted instead");
        assertTrue(gone.refusal().contains("coordinator c1 is not online") && gone.refusal().contains("until it reconnects"),
                gone.refusal());
    }

    @Test
    void aConfiguredCoordinatorIsTheOnlyOneEvenWithOthersOnline() {
        assertEquals("c2", CoordinatorTrust.decide("c2", "c1", List.of(C1, C2)).id());
        Decision absent = CoordinatorTrust.decide("c3", null, List.of(C1));
        assertFalse(absent.trusted());
        assertTrue(absent.refusal().contains("coordinator c3 is not online") && absent.refusal().contains("as configured"),
                absent.refusal());
    }

    @Test
    void noneOnlineOrNoAnnouncementYetMeansNoTask() {
        assertFalse(CoordinatorTrust.decide("", null, List.of()).trusted());
        Decision unannounced = CoordinatorTrust.decide("", null, List.of(new Seen("c1", true, null)));
        assertFalse(unannounced.trusted());
        assertTrue(unannounced.refusal().contains("has not announced"), unannounced.refusal());
    }

    @Test
    void blobsMustBeOnTheCoordinatorsSchemeHostAndPort() {
        Decision c1 = CoordinatorTrust.decide("", null, List.of(C1));
        assertTrue(CoordinatorTrust.blobsAtCoordinator(c1, "http://grid.example:7700/api/v1/blobs/"));
        assertTrue(CoordinatorTrust.blobsAtCoordinator(c1, "HTTP://Grid.Example:7700/api/v1/blobs/"), "case does not matter");
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, "http://evil.example:7700/api/v1/blobs/"), "another host");
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, "http://grid.example:7701/api/v1/blobs/"), "another port");
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, "https://grid.example:7700/api/v1/blobs/"), "another scheme");
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, "http://grid.example:7700@evil.example/"), "user info tricks");
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, "file:///etc/passwd"));
        assertFalse(CoordinatorTrust.blobsAtCoordinator(c1, null));
        assertEquals(Optional.of("https://grid.example:443"), CoordinatorTrust.origin("https://grid.example/api/status"), "default port");
    }
}
