package org.daig.blob;

import java.security.MessageDigest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.daig.api.account.Identity;

/**
 * What each uploader itself has sent of each upload: the SHA-256 of its own bytes so far. The
 * store keeps one upload per blob id, whoever sends it (content addressing), so it cannot tell
 * who sent which bytes; a blob becomes an uploader's only when that uploader's own bytes, from the
 * first to the last, hash to the id. Knowing an id is not enough, and neither is sending the last
 * chunk of somebody else's upload.
 *
 * <p>Kept in memory, at most {@link #MAX_PROOFS} at a time and for {@link #IDLE_MILLIS} without a
 * chunk: after a restart (or a long pause) an uploader sends its upload again from the start.
 */
final class UploadProofs {

    static final int MAX_PROOFS = 10_000;
    static final long IDLE_MILLIS = 24L * 3600 * 1000;

    /** One uploader's progress on one blob. Guard with {@code synchronized (proof)} while a chunk is handled. */
    static final class Proof {
        final MessageDigest digest = Hashing.sha256();
        final long total;
        /** Bytes of the uploader's own that went into {@link #digest}; read without the lock by HEAD. */
        volatile long received;
        long touched;

        Proof(long total, long now) {
            this.total = total;
            this.touched = now;
        }
    }

    private final LongSupplier clock;
    private final Map<String, Proof> proofs = new LinkedHashMap<>(16, 0.75f, true);

    UploadProofs(LongSupplier clock) {
        this.clock = clock;
    }

    /** The key of an uploader's proof for a blob: the account, and the device when a provider sends. */
    static String key(Identity caller, String id) {
        return caller.scope().id() + "\n" + caller.user() + "\n" + (caller.device() == null ? "" : caller.device()) + "\n" + id;
    }

    /** The uploader's proof, or null when it has none (it starts at byte 0). */
    synchronized Proof find(String key) {
        expire();
        Proof proof = proofs.get(key);
        if (proof != null) {
            proof.touched = clock.getAsLong();
        }
        return proof;
    }

    /** A new proof for an upload that starts at byte 0, replacing any earlier one. */
    synchronized Proof start(String key, long total) {
        expire();
        Proof proof = new Proof(total, clock.getAsLong());
        proofs.put(key, proof);
        while (proofs.size() > MAX_PROOFS) {
            Iterator<Proof> eldest = proofs.values().iterator();
            eldest.next();
            eldest.remove();
        }
        return proof;
    }

    /** Where the uploader stands: the bytes of its own so far, 0 without a proof. */
    long received(String key) {
        Proof proof = find(key);
        return proof == null ? 0 : proof.received;
    }

    synchronized void remove(String key, Proof proof) {
        proofs.remove(key, proof);
    }

    synchronized int size() {
        return proofs.size();
    }

    /** Drops idle proofs; the map is in access order, so they are at its head. */
    private void expire() {
        long now = clock.getAsLong();
        for (Iterator<Proof> it = proofs.values().iterator(); it.hasNext();) {
            if (now - it.next().touched <= IDLE_MILLIS) {
                return;
            }
            it.remove();
        }
    }
}
