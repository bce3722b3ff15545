package org.daig.coordinator.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each provider's live leases let it fetch and send, for the blob plane: the scheduler
 * grants a lease as it issues it (or finds it at start) and takes it back as the lease ends, so a
 * provider's download or upload is decided from memory, on any thread, without the scheduler's
 * lock. (It was a database query on every request, and kept an index of leases by provider that
 * each lease and each result had to write.)
 */
public final class LeaseGrants {

    /**
     * A live lease as the blob plane sees it: its provider may read {@code blobs} until
     * {@code deadline} and upload a delta of {@code paramCount} parameters.
     */
    public record Grant(String leaseId, String providerId, String projectId, long issuedAt, long deadline, long paramCount,
            Set<String> blobs) {

        public Grant {
            blobs = Set.copyOf(blobs);
        }
    }

    private static final Comparator<Grant> ISSUE_ORDER = Comparator.comparingLong(Grant::issuedAt).thenComparing(Grant::leaseId);

    /** By provider: its grants, oldest first, as an unmodifiable list replaced whole on each change (a provider holds a few). */
    private final Map<String, List<Grant>> byProvider = new ConcurrentHashMap<>();
    /**
     * The leases found when the scheduler last read its state (at start, on taking over, or after
     * a failed commit), issued before it: uploads made for them may have been lost with an earlier
     * process (providers' results are not forced to disk), and its upload records with them.
     */
    private final Set<String> inherited = ConcurrentHashMap.newKeySet();

    void add(Grant grant) {
        byProvider.compute(grant.providerId(), (provider, held) -> {
            List<Grant> next = new ArrayList<>(held == null ? List.of() : held);
            next.removeIf(g -> g.leaseId().equals(grant.leaseId()));
            next.add(grant);
            next.sort(ISSUE_ORDER);
            return List.copyOf(next);
        });
    }

    void remove(String providerId, String leaseId) {
        inherited.remove(leaseId);
        byProvider.computeIfPresent(providerId, (provider, held) -> {
            List<Grant> next = held.stream().filter(g -> !g.leaseId().equals(leaseId)).toList();
            return next.isEmpty() ? null : next;
        });
    }

    void clear() {
        byProvider.clear();
        inherited.clear();
    }

    /** Marks every lease granted so far as found when the state was read: {@link #forgiveMissingUpload}. */
    void inheritAll() {
        byProvider.values().forEach(held -> held.forEach(g -> inherited.add(g.leaseId())));
    }

    /**
     * Whether a result of {@code providerId}'s lease {@code leaseId} may name a delta the store
     * does not have without that counting against it: once per lease, and only for a live lease
     * found when the state was read (a power cut may have taken an upload the provider made before).
     */
    public boolean forgiveMissingUpload(String providerId, String leaseId, long now) {
        return live(providerId, now).stream().anyMatch(g -> g.leaseId().equals(leaseId)) && inherited.remove(leaseId);
    }

    /** The leases {@code providerId} holds at {@code now} (deadline not passed), oldest first. */
    public List<Grant> live(String providerId, long now) {
        return byProvider.getOrDefault(providerId, List.of()).stream().filter(g -> g.deadline() > now).toList();
    }

    /** Whether a live lease of {@code providerId} needs blob {@code id}. */
    public boolean mayRead(String providerId, String id, long now) {
        return live(providerId, now).stream().anyMatch(g -> g.blobs().contains(id));
    }
}
