package org.daig.coordinator.access;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

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

    /**
     * By uploader: its unfinished uploads. Each uploader's map is only touched inside this map's
     * compute for its key, which locks that key alone: thousands of providers upload at a round's
     * end, and one lock for all had their threads queue behind it.
     */
    private final ConcurrentHashMap<String, Map<String, Pending>> byUploader = new ConcurrentHashMap<>();

    void put(String uploader, String id, long bytes, long now) {
        byUploader.compute(uploader, (k, held) -> {
            Map<String, Pending> next = held == null ? new HashMap<>() : held;
            next.put(id, new Pending(bytes, now));
            return next;
        });
    }

    void remove(String uploader, String id) {
        byUploader.computeIfPresent(uploader, (k, held) -> {
            held.remove(id);
            return held.isEmpty() ? null : held;
        });
    }

    /** The bytes of the uploader's live unfinished uploads other than {@code except}. */
    long bytes(String uploader, String except, long now) {
        long[] sum = {0};
        live(uploader, now, held -> held.forEach((id, p) -> sum[0] += id.equals(except) ? 0 : p.bytes()));
        return sum[0];
    }

    /** How many live unfinished uploads other than {@code except} the uploader has. */
    int count(String uploader, String except, long now) {
        int[] count = {0};
        live(uploader, now, held -> count[0] = held.size() - (held.containsKey(except) ? 1 : 0));
        return count[0];
    }

    /** Drops the uploader's idle uploads and shows {@code reader} the others, under that uploader's lock. */
    private void live(String uploader, long now, Consumer<Map<String, Pending>> reader) {
        byUploader.computeIfPresent(uploader, (k, held) -> {
            held.values().removeIf(p -> now - p.touched() > IDLE_MILLIS);
            reader.accept(held);
            return held.isEmpty() ? null : held;
        });
    }
}
