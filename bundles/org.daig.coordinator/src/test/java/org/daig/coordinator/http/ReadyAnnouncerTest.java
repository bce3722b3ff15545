package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The announced status URL is on the same base as the tasks' blob URL: providers refuse blobs anywhere else. */
class ReadyAnnouncerTest {

    @Test
    void thePublicUrlWinsOverTheHttpServicesEndpoint() {
        assertEquals("https://grid.example.org/api/status", ReadyAnnouncer.statusUrl("https://grid.example.org/", "http://127.0.0.1:7700"));
        assertEquals("http://127.0.0.1:7700/api/status", ReadyAnnouncer.statusUrl(" ", "http://127.0.0.1:7700"));
        assertEquals("http://127.0.0.1:7700/api/status", ReadyAnnouncer.statusUrl(null, "http://127.0.0.1:7700"));
        assertNull(ReadyAnnouncer.statusUrl("", null));
    }
}
