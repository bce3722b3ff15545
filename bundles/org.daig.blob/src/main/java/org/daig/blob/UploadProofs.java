package org.daig.blob;

import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * Thousands of providers upload at a round's end, each to its own key, so the map takes no lock
 * of its own: one shared lock had every upload's thread queue behind it several times.
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
        volatile long touched;

        Proof(long total, long now) {
            this.total = total;
            this.touched = now;
        }
    }

    private final LongSupplier clock;
    private final Map<String, Proof> proofs = new ConcurrentHashMap<>();

    UploadProofs(LongSupplier clock) {
        this.clock = clock;
    }

    /** The key of an uploader's proof for a blob: the account, and the device when a provider sends. */
    static String key(Identity caller, String id) {
        return caller.scope().id() + "\n" + caller.user() + "\n" + (caller.device() == null ? "" : caller.device()) + "\n" + id;
    }

    /** The uploader's proof, or null when it has none (it starts at byte 0) or left it idle too long. */
    Proof find(String key) {
        Proof proof = proofs.get(key);
        if (proof == null) {
            return null;
        }
        long now = clock.getAsLong();
        if (now - proof.touched > IDLE_MILLIS) {
            proofs.remove(key, proof);
            return null;
        }
        proof.touched = now;
        return proof;
    }

    /** A new proof for an upload that starts at byte 0, replacing any earlier one. */
    Proof start(String key, long total) {
        Proof proof = new Proof(total, clock.getAsLong());
        proofs.put(key, proof);
        if (proofs.size() > MAX_PROOFS) {
            trim(proof);
        }
        return proof;
    }

    /** Where the uploader stands: the bytes of its own so far, 0 without a proof. */
    long received(String key) {
        Proof proof = find(key);
        return proof == null ? 0 : proof.received;
    }

    void remove(String key, Proof proof) {
        proofs.remove(key, proof);
    }

    int size() {
        return proofs.size();
    }

    /** Over {@link #MAX_PROOFS} (rare): drops the idle proofs, then the longest untouched ones, never {@code kept}. */
    private synchronized void trim(Proof kept) {
        long now = clock.getAsLong();
        proofs.values().removeIf(p -> now - p.touched > IDLE_MILLIS);
        int excess = proofs.size() - MAX_PROOFS;
        if (excess > 0) {
            proofs.entrySet().stream().filter(e -> e.getValue() != kept)
                    .sorted(Comparator.comparingLong((Map.Entry<String, Proof> e) -> e.getValue().touched)).limit(excess).toList()
                    .forEach(e -> proofs.remove(e.getKey(), e.getValue()));
        }
    }
}
