package org.daig.coordinator.access;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blobs each provider uploaded lately, and when: what {@code uploadsPerLease} counts. Kept in
 * memory, not in the database: ten thousand providers upload ten thousand deltas a round, and a
 * row for each (never read for anything else) took a tenth of the coordinator's profile samples
 * in the load test and made a table that only grew. After a restart the count starts again: a
 * provider may then upload one allowance more for the leases it holds across the restart.
 */
final class DeviceUploads {

    /** Blob id → when, per device; an upload of the same blob again counts once, at its last time. */
    private final Map<String, Map<String, Long>> byDevice = new ConcurrentHashMap<>();

    void add(String device, String id, long at) {
        byDevice.compute(device, (d, uploads) -> {
            Map<String, Long> kept = uploads == null ? new HashMap<>() : uploads;
            kept.put(id, at);
            return kept;
        });
    }

    /**
     * How many blobs other than {@code except} the device uploaded at or after {@code since}, the
     * issue time of the oldest lease it holds. Older uploads are forgotten: the oldest lease a
     * device holds only gets younger, so they would never count again.
     */
    long countSince(String device, long since, String except) {
        long[] count = {0};
        byDevice.computeIfPresent(device, (d, uploads) -> {
            uploads.values().removeIf(at -> at < since);
            count[0] = uploads.keySet().stream().filter(id -> !id.equals(except)).count();
            return uploads.isEmpty() ? null : uploads;
        });
        return count[0];
    }

    /** Forgets the uploads before {@code before}, so that providers that left take no memory. */
    void forgetBefore(long before) {
        for (String device : byDevice.keySet()) {
            byDevice.computeIfPresent(device, (d, uploads) -> {
                uploads.values().removeIf(at -> at < before);
                return uploads.isEmpty() ? null : uploads;
            });
        }
    }

    /** Devices with remembered uploads (tests). */
    int devices() {
        return byDevice.size();
    }
}
