package org.daig.experts.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.daig.experts.dht.ExpertDht;
import org.daig.experts.dht.Stored;
import org.junit.jupiter.api.Test;

/** The gate's DHT cache: one lookup per key and time-to-live, shared by concurrent gets; misses and failures are not kept. */
class DhtCacheTest {

    /** A DHT whose gets stay open until the test answers them: isolates the cache from any network. */
    private static final class HeldDht implements ExpertDht {
        final List<String> asked = new ArrayList<>();
        final List<CompletableFuture<Map<String, Stored>>> open = new ArrayList<>();
        final List<String> stored = new ArrayList<>();

        @Override
        public CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt) {
            stored.add(key + "/" + subkey + "=" + value);
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public CompletableFuture<Map<String, Stored>> get(String key) {
            asked.add(key);
            CompletableFuture<Map<String, Stored>> f = new CompletableFuture<>();
            open.add(f);
            return f;
        }

        @Override
        public long now() {
            return 0;
        }
    }

    private static final Map<String, Stored> FOUND = Map.of("1", new Stored("127.0.0.1:4711", 60_000));

    @Test
    void concurrentGetsShareOneLookupAndAnswersLiveForTheirTtl() {
        HeldDht dht = new HeldDht();
        long[] now = {1_000};
        DhtCache cache = new DhtCache(dht, () -> now[0], 2_000);
        CompletableFuture<Map<String, Stored>> first = cache.get("ffn.3");
        CompletableFuture<Map<String, Stored>> second = cache.get("ffn.3");
        assertSame(first, second, "a get while the lookup runs waits for the same lookup");
        assertEquals(List.of("ffn.3"), dht.asked);
        dht.open.get(0).complete(FOUND);
        assertEquals(FOUND, first.join());
        now[0] += 1_999;
        assertEquals(FOUND, cache.get("ffn.3").join());
        assertEquals(1, cache.lookups(), "answered from memory within the ttl");
        now[0] += 1;
        cache.get("ffn.3");
        assertEquals(List.of("ffn.3", "ffn.3"), dht.asked, "looked up again once the ttl has passed");
        assertEquals(2, cache.lookups());
    }

    @Test
    void emptyAndFailedAnswersAreNotKept() {
        HeldDht dht = new HeldDht();
        DhtCache cache = new DhtCache(dht, () -> 0L, 60_000);
        CompletableFuture<Map<String, Stored>> empty = cache.get("ffn.0");
        dht.open.get(0).complete(Map.of());
        assertTrue(empty.join().isEmpty());
        CompletableFuture<Map<String, Stored>> failed = cache.get("ffn.0");
        dht.open.get(1).completeExceptionally(new IOException("lookup timed out"));
        assertTrue(failed.isCompletedExceptionally());
        cache.get("ffn.0");
        assertEquals(3, dht.asked.size(), "a miss and a failure are asked again at once (the negative cache decides what to skip)");
        cache.store("ffn.0", "2", "h:1", 5);
        assertEquals(List.of("ffn.0/2=h:1"), dht.stored, "stores go straight through");
    }
}
