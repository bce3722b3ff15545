package org.daig.coordinator.access;

import java.util.HashMap;
import java.util.Map;

/**
 * Uploads that were let in but have not completed: they count against their uploader's limits
 * until they complete or go quiet, so an uploader cannot get round its quota by starting many
 * uploads at once. Kept in memory only: every chunk of an upload asks again and renews its
 * entry, so after a restart the entries come back with the uploads that go on.
 */
final class PendingUploads {

    /** As the blob store's default (abandonedUploadHours): an upload untouched this long is gone there too. */
    static final long IDLE_MILLIS = 24L * 3600 * 1000;
    /** Unfinished uploads one uploader may have at once. */
    static final int MAX_PER_UPLOADER = 64;

    private record Pending(long bytes, long touched) {
    }

    private final Map<String, Map<String, Pending>> byUploader = new HashMap<>();

    synchronized void put(String uploader, String id, long bytes, long now) {
        byUploader.computeIfAbsent(uploader, k -> new HashMap<>()).put(id, new Pending(bytes, now));
    }

    synchronized void remove(String uploader, String id) {
        Map<String, Pending> pending = byUploader.get(uploader);
        if (pending != null) {
            pending.remove(id);
            if (pending.isEmpty()) {
                byUploader.remove(uploader);
            }
        }
    }

    /** The bytes of the uploader's live unfinished uploads other than {@code except}. */
    synchronized long bytes(String uploader, String except, long now) {
        return live(uploader, now).entrySet().stream().filter(e -> !e.getKey().equals(except)).mapToLong(e -> e.getValue().bytes()).sum();
    }

    /** How many live unfinished uploads other than {@code except} the uploader has. */
    synchronized int count(String uploader, String except, long now) {
        return (int) live(uploader, now).keySet().stream().filter(id -> !id.equals(except)).count();
    }

    private Map<String, Pending> live(String uploader, long now) {
        Map<String, Pending> pending = byUploader.getOrDefault(uploader, Map.of());
        if (!pending.isEmpty()) {
            pending.values().removeIf(p -> now - p.touched() > IDLE_MILLIS);
            if (pending.isEmpty()) {
                byUploader.remove(uploader);
            }
        }
        return pending;
    }
}
