package org.daig.coordinator.schedule;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.daig.coordinator.store.Records.LeaseRow;

/**
 * A project's active leases by id (in the order they were issued), also found by provider and by
 * shard: a round of ten thousand tasks would otherwise scan every lease for each of its leases
 * and results. Once {@link #grantIn} named the {@link LeaseGrants}, every lease here is granted
 * there too, and taken back as it leaves.
 */
final class ActiveLeases {

    private final Map<String, LeaseRow> byId = new LinkedHashMap<>();
    private final Map<String, Set<String>> byProvider = new HashMap<>();
    private final Map<Integer, Set<String>> byShard = new HashMap<>();
    private final Collection<LeaseRow> view = Collections.unmodifiableCollection(byId.values());
    private LeaseGrants grants;
    private Function<LeaseRow, LeaseGrants.Grant> grantOf;

    /** From now on the leases here (those already here too) are granted in {@code grants}, as {@code grantOf} says. */
    void grantIn(LeaseGrants grants, Function<LeaseRow, LeaseGrants.Grant> grantOf) {
        this.grants = grants;
        this.grantOf = grantOf;
        byId.values().forEach(lease -> grants.add(grantOf.apply(lease)));
    }

    void put(String id, LeaseRow lease) {
        remove(id);
        byId.put(id, lease);
        if (grants != null) {
            grants.add(grantOf.apply(lease));
        }
        byProvider.computeIfAbsent(lease.providerId(), p -> new LinkedHashSet<>()).add(id);
        byShard.computeIfAbsent(lease.shard(), s -> new LinkedHashSet<>()).add(id);
    }

    LeaseRow remove(String id) {
        LeaseRow lease = byId.remove(id);
        if (lease != null) {
            if (grants != null) {
                grants.remove(lease.providerId(), id);
            }
            unindex(byProvider, lease.providerId(), id);
            unindex(byShard, lease.shard(), id);
        }
        return lease;
    }

    private static <K> void unindex(Map<K, Set<String>> index, K key, String id) {
        Set<String> ids = index.get(key);
        if (ids != null && ids.remove(id) && ids.isEmpty()) {
            index.remove(key);
        }
    }

    LeaseRow get(String id) {
        return byId.get(id);
    }

    boolean containsKey(String id) {
        return byId.containsKey(id);
    }

    void clear() {
        if (grants != null) {
            byId.values().forEach(lease -> grants.remove(lease.providerId(), lease.id()));
        }
        byId.clear();
        byProvider.clear();
        byShard.clear();
    }

    /** Every active lease, oldest first (read only). */
    Collection<LeaseRow> values() {
        return view;
    }

    /** The leases {@code providerId} holds, oldest first. */
    List<LeaseRow> heldBy(String providerId) {
        return byProvider.getOrDefault(providerId, Set.of()).stream().map(byId::get).toList();
    }

    /** The leases on {@code shard} (a shard of the round, or the first shard of an asynchronous task). */
    List<LeaseRow> onShard(int shard) {
        return byShard.getOrDefault(shard, Set.of()).stream().map(byId::get).toList();
    }

    boolean isLeased(int shard) {
        return byShard.containsKey(shard);
    }

    /** The providers holding a lease. */
    Set<String> providers() {
        return Collections.unmodifiableSet(byProvider.keySet());
    }
}
