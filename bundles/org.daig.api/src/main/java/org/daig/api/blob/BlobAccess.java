package org.daig.api.blob;

import java.util.Optional;

import org.daig.api.account.Identity;

/**
 * Who may read and write which blob. The blob servlet asks it on every request, after the HTTP
 * filter has authenticated the caller; the coordinator provides it, as it knows who owns which
 * project and which provider holds which lease.
 */
public interface BlobAccess {

    /** Whether {@code caller} may read blob {@code id} (a refusal answers 404: the id stays secret). */
    boolean mayRead(Identity caller, String id);

    /**
     * Why {@code caller} may not upload {@code totalBytes} as blob {@code id} (quota, size cap, no
     * lease, wrong role), or empty when it may.
     */
    Optional<String> refuseUpload(Identity caller, String id, long totalBytes);

    /**
     * Whether {@code caller}'s upload of blob {@code id} must be on disk before the store calls it
     * complete, so that it survives a power cut. What costs only its uploader's work to make again
     * need not be: a provider's result is, at worst, a task offered again. Forcing each of a
     * round's thousands of small results to disk took a tenth to a sixth of the round (docs/measurements.md).
     *
     * @since 1.3
     */
    default boolean mustBeDurable(Identity caller, String id) {
        return true;
    }

    /** An upload by {@code caller} completed: from now on the blob is theirs to read, and counts against their quota. */
    void uploaded(Identity caller, String id, long bytes);
}
