package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.daig.api.task.TaskReply.Kind;
import org.junit.jupiter.api.Test;

/** The /metrics counters: each kind counts on its own, they add up, and a reading is a snapshot. */
class MetricsCountersTest {

    private final MetricsCounters metrics = new MetricsCounters();

    @Test
    void everyCounterStartsAtZeroAndEveryReplyKindIsListed() {
        assertEquals(0, metrics.leases());
        assertEquals(0, metrics.leasesExpired());
        assertEquals(0, metrics.rounds());
        assertEquals(0, metrics.aggregationNanos());
        assertEquals(0, metrics.submissionsRefused());
        Map<Kind, Long> results = metrics.results();
        assertEquals(Kind.values().length, results.size(), "a kind never answered still shows, as 0");
        results.values().forEach(count -> assertEquals(0L, count));
    }

    @Test
    void countsAddUpPerKind() {
        metrics.resultAnswered(Kind.ACCEPTED);
        metrics.resultAnswered(Kind.ACCEPTED);
        metrics.resultAnswered(Kind.STALE);
        metrics.resultAnswered(Kind.REFUSED);
        metrics.resultAnswered(Kind.ACCEPTED);
        metrics.leased();
        metrics.leased();
        metrics.leasesExpired(3);
        metrics.leasesExpired(0);
        metrics.leasesExpired(2);
        metrics.roundAggregated(1_500);
        metrics.roundAggregated(2_500);
        metrics.submissionRefused();

        Map<Kind, Long> results = metrics.results();
        assertEquals(3L, results.get(Kind.ACCEPTED));
        assertEquals(1L, results.get(Kind.STALE));
        assertEquals(1L, results.get(Kind.REFUSED));
        assertEquals(0L, results.get(Kind.DUPLICATE));
        assertEquals(0L, results.get(Kind.UNKNOWN));
        assertEquals(2, metrics.leases());
        assertEquals(5, metrics.leasesExpired(), "expired leases count by how many, not by how many checks");
        assertEquals(2, metrics.rounds());
        assertEquals(4_000, metrics.aggregationNanos(), "aggregation time is the sum of the rounds'");
        assertEquals(1, metrics.submissionsRefused());
    }

    @Test
    void aReadingIsASnapshotThatLaterCountsDoNotChange() {
        metrics.resultAnswered(Kind.ACCEPTED);
        Map<Kind, Long> before = metrics.results();
        metrics.resultAnswered(Kind.ACCEPTED);
        before.put(Kind.REFUSED, 99L);
        assertEquals(1L, before.get(Kind.ACCEPTED));
        assertEquals(2L, metrics.results().get(Kind.ACCEPTED));
        assertEquals(0L, metrics.results().get(Kind.REFUSED), "changing a reading changes no counter");
    }

    @Test
    void countsFromManyThreadsAtOnceAreNotLost() throws Exception {
        int threads = 8;
        int each = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        metrics.resultAnswered(Kind.ACCEPTED);
                        metrics.leased();
                        metrics.roundAggregated(1);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * each, metrics.results().get(Kind.ACCEPTED));
        assertEquals((long) threads * each, metrics.leases());
        assertEquals((long) threads * each, metrics.rounds());
        assertEquals((long) threads * each, metrics.aggregationNanos());
        assertTrue(metrics.results().values().stream().mapToLong(Long::longValue).sum() == (long) threads * each);
    }

    @Test
    void leaseLatencyPercentilesFollowTheLastRequests() {
        double[] none = metrics.leaseSeconds();
        assertTrue(Double.isNaN(none[0]) && Double.isNaN(none[1]), "nothing measured yet");
        for (int i = 1; i <= 100; i++) {
            metrics.leaseTook(i * 1_000_000L); // 1 ms to 100 ms
        }
        double[] s = metrics.leaseSeconds();
        assertEquals(0.050, s[0], 1e-9, "median");
        assertEquals(0.099, s[1], 1e-9, "99th percentile");
        for (int i = 0; i < CoordinatorMetrics.LATENCY_WINDOW; i++) {
            metrics.leaseTook(2_000_000L);
        }
        assertEquals(0.002, metrics.leaseSeconds()[1], 1e-9, "the old, slow ones have left the window");
    }
}
