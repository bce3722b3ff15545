package org.daig.coordinator.service;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * Deltas the result intake has read and found sound, kept decoded in memory until their round's
 * aggregation uses them, so that a round's close does not read every delta of the round from the
 * blob store a second time (with a thousand small results, that second reading was most of the
 * wait between one round and the next). Bounded by {@link ProjectServiceConfig#checkedDeltasMiB}:
 * past it the oldest go, and the aggregation reads those from the store as before. Deltas are
 * content-addressed, so a kept one is always what its blob holds.
 */
@Component(service = CheckedDeltas.class, configurationPid = ProjectServiceConfig.PID)
public class CheckedDeltas {

    /** Keeps nothing: every delta is read from the store (tests that exercise the reading). */
    static final CheckedDeltas NONE = new CheckedDeltas(0);

    /** Oldest first. */
    private final Map<String, float[]> kept = new LinkedHashMap<>();
    private long budgetBytes;
    private long bytes;

    @Activate
    public CheckedDeltas(ProjectServiceConfig config) {
        this(config.checkedDeltasMiB() * 1024L * 1024L);
    }

    CheckedDeltas(long budgetBytes) {
        this.budgetBytes = Math.max(0, budgetBytes);
    }

    @Modified
    synchronized void modified(ProjectServiceConfig config) {
        budgetBytes = Math.max(0, config.checkedDeltasMiB() * 1024L * 1024L);
        evictBeyond(budgetBytes);
    }

    /** Keeps a sound delta of blob {@code blob} as decoded with {@code compression}; the caller no longer changes it. */
    synchronized void keep(String blob, String compression, float[] delta) {
        long size = 4L * delta.length;
        if (size > budgetBytes) {
            return;
        }
        float[] before = kept.put(key(blob, compression), delta);
        bytes += size - (before == null ? 0 : 4L * before.length);
        evictBeyond(budgetBytes);
    }

    /** The kept delta, or null: read it from the store. Callers only read it. */
    synchronized float[] get(String blob, String compression) {
        return kept.get(key(blob, compression));
    }

    /** The round that used these deltas is closed. */
    synchronized void forget(Collection<String> blobs, String compression) {
        for (String blob : blobs) {
            float[] gone = kept.remove(key(blob, compression));
            if (gone != null) {
                bytes -= 4L * gone.length;
            }
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    private void evictBeyond(long budget) {
        for (Iterator<float[]> it = kept.values().iterator(); bytes > budget && it.hasNext();) {
            bytes -= 4L * it.next().length;
            it.remove();
        }
    }

    private static String key(String blob, String compression) {
        return compression == null || compression.isBlank() ? blob : blob + '|' + compression;
    }
}
