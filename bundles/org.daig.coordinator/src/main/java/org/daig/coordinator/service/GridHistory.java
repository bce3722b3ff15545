package org.daig.coordinator.service;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.daig.api.task.TaskReply;

/**
 * The grid's recent past, for the console's charts: every {@link #SAMPLE_SECONDS} s the providers
 * online and the lease and result counters since start, the last {@link #KEPT} samples (an hour).
 * In memory only: a restarted coordinator starts a new history.
 */
public final class GridHistory {

    public static final int SAMPLE_SECONDS = 10;
    public static final int KEPT = 360;

    /** One sample: when, providers online, tasks leased and results decided since start. */
    public record Sample(long at, long online, long leases, long results) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    /** Takes a sample, dropping the oldest past {@link #KEPT}. */
    public synchronized void add(long at, long online, CoordinatorMetrics metrics) {
        samples.addLast(new Sample(at, online, metrics.leases(), results(metrics.results())));
        while (samples.size() > KEPT) {
            samples.removeFirst();
        }
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Results decided: every reply to a result (leases, "no task" and releases are not results), as /metrics counts them. */
    static long results(Map<TaskReply.Kind, Long> byReply) {
        return byReply.entrySet().stream().filter(e -> e.getKey() != TaskReply.Kind.TASK && e.getKey() != TaskReply.Kind.NO_TASK
                && e.getKey() != TaskReply.Kind.RELEASED).mapToLong(Map.Entry::getValue).sum();
    }
}
