package org.daig.experts.gate;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keys (expert uids, prefixes) recently found dead or empty, forgotten after {@code ttlMillis}. The
 * beam search skips them, so a dead expert whose DHT entry has not expired yet costs no call and no
 * timeout; a new expert in the same cell becomes visible once the mark expires. Kept by each gate for
 * itself (hivemind stores "no key" marks in the DHT, where any peer could blank a live prefix for all).
 */
public final class NegativeCache {

    private final LongSupplier clock;
    private final long ttlMillis;
    private final Map<String, Long> until = new HashMap<>();

    public NegativeCache(LongSupplier clock, long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("negative cache ttl must be > 0 ms, not " + ttlMillis);
        }
        this.clock = clock;
        this.ttlMillis = ttlMillis;
    }

    /** Marks the key dead for the next {@code ttlMillis}; the caller saw its call fail or its lookup come back empty. */
    public synchronized void markDead(String key) {
        until.put(key, clock.getAsLong() + ttlMillis);
    }

    public synchronized boolean isDead(String key) {
        Long t = until.get(key);
        if (t == null) {
            return false;
        }
        if (t <= clock.getAsLong()) {
            until.remove(key);
            return false;
        }
        return true;
    }

    /** Forgets a mark early, e.g. when the expert answered after all. */
    public synchronized void forget(String key) {
        until.remove(key);
    }

    public synchronized int size() {
        long now = clock.getAsLong();
        until.values().removeIf(t -> t <= now);
        return until.size();
    }
}
