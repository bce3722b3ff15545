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

    /** An upload by {@code caller} completed: from now on the blob is theirs to read, and counts against their quota. */
    void uploaded(Identity caller, String id, long bytes);
}
