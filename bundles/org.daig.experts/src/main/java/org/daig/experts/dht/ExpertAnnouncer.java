package org.daig.experts.dht;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.daig.experts.ExpertUid;

/**
 * What an expert server publishes, as hivemind does: for {@code ffn.3.1} at address A, the uid's own key
 * ({@code ffn.3.1} → A) and one subkey under each shorter prefix ({@code ffn.3}[1] → A), so that the
 * gate learns a prefix's live successors with one get. Entries live {@link #EXPIRY_MILLIS}; a server
 * re-announces every {@link #REFRESH_MILLIS}, so an entry outlives one missed refresh and a dead
 * server's experts vanish within a minute.
 */
public final class ExpertAnnouncer {

    public static final long REFRESH_MILLIS = 30_000;
    public static final long EXPIRY_MILLIS = 60_000;

    private ExpertAnnouncer() {
    }

    /**
     * Announces the experts at {@code address}; completes with how many of the stores were kept by at
     * least one peer (2 per uid on a 2-d grid).
     */
    public static CompletableFuture<Integer> announce(ExpertDht dht, Collection<ExpertUid> uids, String address) {
        long expiresAt = dht.now() + EXPIRY_MILLIS;
        List<CompletableFuture<Integer>> stores = new ArrayList<>();
        for (ExpertUid uid : uids) {
            stores.add(dht.store(uid.toString(), "", address, expiresAt));
            for (int depth = 1; depth < uid.dimensions(); depth++) {
                stores.add(dht.store(uid.prefixKey(depth), Integer.toString(uid.coordinate(depth)), address, expiresAt));
            }
        }
        return CompletableFuture.allOf(stores.toArray(CompletableFuture[]::new))
                .thenApply(v -> (int) stores.stream().filter(f -> f.join() > 0).count());
    }
}
