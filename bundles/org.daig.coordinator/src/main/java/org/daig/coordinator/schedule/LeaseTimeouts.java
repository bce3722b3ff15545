package org.daig.coordinator.schedule;

import java.util.Arrays;
import java.util.Collection;

/**
 * How long a provider may hold a task. DAIG gave 1.5× the fastest task time, which cuts off every
 * volunteer slower than the fastest one and makes the same shard be trained again and again on a
 * mixed grid. Here the deadline follows the slow end of what was observed instead:
 *
 * <pre>
 *   timeout = clamp(factor × p90(last n lease-to-result times), min, max)     (factor 3 by default)
 *   timeout = initial                                                          before any result
 * </pre>
 *
 * Lease-to-result time is measured by the coordinator (download, training and upload), not
 * reported by the provider. A provider that disconnects loses its leases at once through its
 * presence (last will), so the deadline only matters for one that stays connected but stalls.
 */
public record LeaseTimeouts(long initialMillis, long minMillis, long maxMillis, double factor) {

    public long timeoutMillis(Collection<Long> recentLeaseMillis) {
        if (recentLeaseMillis.isEmpty()) {
            return initialMillis;
        }
        long[] sorted = recentLeaseMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        long p90 = sorted[(int) Math.ceil(0.9 * sorted.length) - 1];
        long timeout = (long) (factor * p90);
        return Math.max(minMillis, Math.min(maxMillis, timeout));
    }

    /** The median of some values, NaN if there are none. */
    static double median(Collection<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
