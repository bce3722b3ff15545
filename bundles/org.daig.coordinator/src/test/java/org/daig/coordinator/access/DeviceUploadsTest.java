package org.daig.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What {@code uploadsPerLease} counts: a device's distinct uploads since its oldest lease, and nothing kept for ever. */
class DeviceUploadsTest {

    @Test
    void countsEachBlobOnceSinceTheOldestLeaseAndLeavesOutTheOneAskedFor() {
        DeviceUploads uploads = new DeviceUploads();
        uploads.add("prov-a", "d1", 1_000);
        uploads.add("prov-a", "d2", 2_000);
        uploads.add("prov-a", "d2", 2_500); // the same delta again
        uploads.add("prov-b", "d9", 2_000);

        assertEquals(2, uploads.countSince("prov-a", 1_000, "new"));
        assertEquals(1, uploads.countSince("prov-a", 1_000, "d1"), "the blob being uploaded again does not count against itself");
        assertEquals(1, uploads.countSince("prov-a", 1_500, "new"), "an upload before the oldest lease held does not count");
        assertEquals(1, uploads.countSince("prov-a", 1_000, "new"), "and is forgotten: the oldest lease only gets younger");
        assertEquals(1, uploads.countSince("prov-b", 0, "new"), "another device counts apart");
        assertEquals(0, uploads.countSince("prov-c", 0, "new"));
    }

    @Test
    void providersThatLeftTakeNoMemory() {
        DeviceUploads uploads = new DeviceUploads();
        uploads.add("gone", "d1", 1_000);
        uploads.add("here", "d2", 5_000);

        uploads.forgetBefore(2_000);

        assertEquals(1, uploads.devices());
        assertEquals(0, uploads.countSince("gone", 0, "new"));
        assertEquals(1, uploads.countSince("here", 0, "new"));
    }
}
