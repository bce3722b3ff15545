package org.daig.experts.dht;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The DHT's contract in one process, without a network: what is stored is found, and nothing expires
 * (its clock stands at 0). For a whole model run on one machine (every expert in the same JVM) and for
 * tests of what sits on top of the DHT.
 */
public final class LocalDirectory implements ExpertDht {

    private final Map<String, Map<String, Stored>> entries = new HashMap<>();

    @Override
    public synchronized CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt) {
        entries.computeIfAbsent(key, k -> new HashMap<>()).put(subkey, new Stored(value, expiresAt));
        return CompletableFuture.completedFuture(1);
    }

    @Override
    public synchronized CompletableFuture<Map<String, Stored>> get(String key) {
        return CompletableFuture.completedFuture(new HashMap<>(entries.getOrDefault(key, Map.of())));
    }

    @Override
    public long now() {
        return 0;
    }
}
