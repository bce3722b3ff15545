package org.daig.blob;

import java.security.MessageDigest;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the store remembers about an unfinished upload while its process runs: a lock, so chunks
 * of one id never interleave, and the digest of the bytes so far, so finishing needs no re-read.
 * The .part file alone is the durable state; this is only a cache of it.
 */
final class RunningUpload {

    final ReentrantLock lock = new ReentrantLock();

    /** Digest of the first {@link #hashed} bytes of the .part file; null when not known. */
    MessageDigest digest;
    long hashed;
    /** The total the last chunk announced; 0 until a chunk announced one in this process. */
    long total;

    void forgetDigest() {
        digest = null;
        hashed = 0;
    }
}
