package org.daig.coordinator.service;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.api.task.TaskReply;
import org.osgi.service.component.annotations.Component;

/** {@link CoordinatorMetrics} in memory: they start from zero with the coordinator, as Prometheus counters may. */
@Component(service = CoordinatorMetrics.class)
public class MetricsCounters implements CoordinatorMetrics {

    private final AtomicLong leases = new AtomicLong();
    private final AtomicLong leasesExpired = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong aggregationNanos = new AtomicLong();
    private final AtomicLong submissionsRefused = new AtomicLong();
    private volatile int requestsHeld;
    private final Map<TaskReply.Kind, AtomicLong> results = new EnumMap<>(TaskReply.Kind.class);
    /** The last lease decisions' durations (ns), a ring: the percentiles follow the grid as it is now, not since start. */
    private final long[] leaseNanos = new long[LATENCY_WINDOW];
    private int leaseNext;
    private int leaseCount;
    private final Map<String, AtomicLong> spotChecks = new TreeMap<>(Map.of("passed", new AtomicLong(), "failed",
            new AtomicLong(), "unchecked", new AtomicLong(), "agreed", new AtomicLong(), "disagreed", new AtomicLong()));

    @Override
    public void requestsHeld(int count) {
        requestsHeld = count;
    }

    @Override
    public int requestsHeld() {
        return requestsHeld;
    }

    public MetricsCounters() {
        for (TaskReply.Kind k : TaskReply.Kind.values()) {
            results.put(k, new AtomicLong());
        }
    }

    @Override
    public long leases() {
        return leases.get();
    }

    @Override
    public long leasesExpired() {
        return leasesExpired.get();
    }

    @Override
    public long rounds() {
        return rounds.get();
    }

    @Override
    public long aggregationNanos() {
        return aggregationNanos.get();
    }

    @Override
    public long submissionsRefused() {
        return submissionsRefused.get();
    }

    @Override
    public Map<TaskReply.Kind, Long> results() {
        Map<TaskReply.Kind, Long> copy = new EnumMap<>(TaskReply.Kind.class);
        results.forEach((kind, count) -> copy.put(kind, count.get()));
        return copy;
    }

    @Override
    public void leased() {
        leases.incrementAndGet();
    }

    @Override
    public synchronized void leaseTook(long nanos) {
        leaseNanos[leaseNext] = nanos;
        leaseNext = (leaseNext + 1) % leaseNanos.length;
        leaseCount = Math.min(leaseCount + 1, leaseNanos.length);
    }

    @Override
    public double[] leaseSeconds() {
        long[] window;
        synchronized (this) {
            window = Arrays.copyOf(leaseNanos, leaseCount);
        }
        if (window.length == 0) {
            return new double[] { Double.NaN, Double.NaN };
        }
        Arrays.sort(window);
        return new double[] { rank(window, 0.5) / 1e9, rank(window, 0.99) / 1e9 };
    }

    /** The nearest-rank percentile of sorted values. */
    private static long rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Override
    public void leasesExpired(int count) {
        leasesExpired.addAndGet(count);
    }

    @Override
    public void roundAggregated(long nanos) {
        rounds.incrementAndGet();
        aggregationNanos.addAndGet(nanos);
    }

    @Override
    public void submissionRefused() {
        submissionsRefused.incrementAndGet();
    }

    @Override
    public void resultAnswered(TaskReply.Kind kind) {
        results.get(kind).incrementAndGet();
    }

    @Override
    public Map<String, Long> spotChecks() {
        Map<String, Long> copy = new TreeMap<>();
        spotChecks.forEach((outcome, count) -> copy.put(outcome, count.get()));
        return copy;
    }

    @Override
    public void spotChecked(String outcome) {
        spotChecks.get(outcome).incrementAndGet();
    }
}
