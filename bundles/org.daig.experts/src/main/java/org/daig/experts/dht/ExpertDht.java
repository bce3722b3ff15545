package org.daig.experts.dht;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The little the experts need from a DHT: store a subkey's value under a key until a time, and get a
 * key's live values. Keys are expert uids and their prefixes ({@code ffn.3}, {@code ffn.3.1}).
 */
public interface ExpertDht {

    /** Stores on the peers closest to the key; completes with how many kept it (0: none did). */
    CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt);

    /** The key's values that have not expired, by subkey; empty when none was found. */
    CompletableFuture<Map<String, Stored>> get(String key);

    /** Now, in milliseconds, on the clock that expiry times are read against. */
    long now();
}
