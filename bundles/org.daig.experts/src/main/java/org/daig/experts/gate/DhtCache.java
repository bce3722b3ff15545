package org.daig.experts.gate;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import org.daig.experts.dht.ExpertDht;
import org.daig.experts.dht.Stored;

/**
 * A short-lived cache of DHT gets in front of a gate's beam search: a batch searches once per sample,
 * and without it each sample would repeat the same few prefix gets. A get answered within the last
 * {@code ttlMillis} is answered again from memory, and concurrent gets of one key share one lookup.
 * Failed or empty answers are not kept (the negative cache handles those). Stores go straight through.
 */
public final class DhtCache implements ExpertDht {

    private record Entry(long at, CompletableFuture<Map<String, Stored>> value) {
    }

    private final ExpertDht dht;
    private final LongSupplier clock;
    private final long ttlMillis;
    private final Map<String, Entry> entries = new HashMap<>();
    private long lookups;

    public DhtCache(ExpertDht dht, LongSupplier clock, long ttlMillis) {
        if (ttlMillis < 0) {
            throw new IllegalArgumentException("DHT cache ttl must be >= 0 ms, not " + ttlMillis);
        }
        this.dht = dht;
        this.clock = clock;
        this.ttlMillis = ttlMillis;
    }

    @Override
    public CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt) {
        return dht.store(key, subkey, value, expiresAt);
    }

    @Override
    public CompletableFuture<Map<String, Stored>> get(String key) {
        long now = clock.getAsLong();
        CompletableFuture<Map<String, Stored>> f;
        synchronized (this) {
            Entry e = entries.get(key);
            if (e != null && (!e.value().isDone() || now - e.at() < ttlMillis)) {
                return e.value();
            }
            lookups++;
            f = new CompletableFuture<>();
            entries.put(key, new Entry(now, f));
        }
        dht.get(key).whenComplete((values, error) -> {
            if (error != null || values.isEmpty()) {
                synchronized (this) {
                    entries.remove(key);
                }
            }
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(values);
            }
        });
        return f;
    }

    /** How many gets went to the DHT. */
    public synchronized long lookups() {
        return lookups;
    }

    @Override
    public long now() {
        return dht.now();
    }
}
