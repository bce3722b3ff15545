package org.daig.coordinator.schedule;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A round's close (or an asynchronous project's applier) found accepted deltas that the blob
 * store no longer holds as they were uploaded: missing, or bytes that do not hash to their id (a
 * power cut before the disk wrote them, or a file removed by hand). The provider is not to blame:
 * its result was read and found sound when it arrived. The project takes these results back and
 * offers their tasks again.
 */
public final class LostDeltas extends IOException {

    private static final long serialVersionUID = 1L;

    /** Blob ids. */
    private final transient Set<String> blobs;

    public LostDeltas(Set<String> blobs) {
        super(blobs.size() + " accepted delta(s) are gone from the blob store: " + List.copyOf(blobs).subList(0, Math.min(3, blobs.size())));
        this.blobs = Set.copyOf(blobs);
    }

    public Set<String> blobs() {
        return blobs;
    }
}
