package org.daig.monitor.idle;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/**
 * CPU load of everything but this process and its descendants (the trainer workers), as a share
 * of all logical cores, between two samples. The machine's busy time comes from OSHI's system
 * ticks; our own from {@link ProcessHandle.Info#totalCpuDuration()}, per process, so a worker that
 * starts between samples counts whole and one that ends merely stops counting.
 *
 * <p>Steal time (a hypervisor running other guests) is not counted as foreign: nobody on this
 * machine is using it, and pausing would not give it back.
 */
final class ForeignCpuReader {

    private final CentralProcessor cpu;
    private long[] lastTicks;
    private Map<Long, Long> lastOwnNanos = Map.of();
    private double lastLoad = -1;

    ForeignCpuReader(CentralProcessor cpu) {
        this.cpu = cpu;
    }

    /** Takes the first baseline, so the first {@link #read} already has an interval to measure. */
    void prime(List<ProcessHandle> own) {
        lastTicks = cpu.getSystemCpuLoadTicks();
        lastOwnNanos = cpuNanos(own);
    }

    /** Foreign load 0..1, or -1 with a note. */
    double read(List<ProcessHandle> own, Notes notes) {
        long[] ticks = cpu.getSystemCpuLoadTicks();
        Map<Long, Long> ownNanos = cpuNanos(own);
        if (lastTicks == null) {
            lastTicks = ticks;
            lastOwnNanos = ownNanos;
            notes.add(Notes.FOREIGN_CPU, "measuring (the first sample has nothing to compare with)");
            return -1;
        }
        long total = totalTicks(ticks) - totalTicks(lastTicks);
        if (total <= 0) {
            // Called again within one clock tick: keep the baseline, repeat the last answer.
            if (lastLoad < 0) {
                notes.add(Notes.FOREIGN_CPU, "measuring (the first sample has nothing to compare with)");
            }
            return lastLoad;
        }
        long ownMillis = ownDeltaNanos(lastOwnNanos, ownNanos) / 1_000_000;
        lastLoad = foreignShare(lastTicks, ticks, ownMillis);
        lastTicks = ticks;
        lastOwnNanos = ownNanos;
        return lastLoad;
    }

    /**
     * The share of all cores busy outside our processes between two tick snapshots (OSHI ticks
     * are milliseconds summed over all logical cores).
     */
    static double foreignShare(long[] before, long[] after, long ownMillis) {
        long total = totalTicks(after) - totalTicks(before);
        if (total <= 0) {
            return -1;
        }
        long notBusy = delta(before, after, TickType.IDLE) + delta(before, after, TickType.IOWAIT)
                + delta(before, after, TickType.STEAL);
        double foreign = (double) (total - notBusy - ownMillis) / total;
        return Math.max(0, Math.min(1, foreign));
    }

    /** CPU time our processes used since the previous snapshot; a process not seen before counts whole. */
    static long ownDeltaNanos(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            long previous = before.getOrDefault(e.getKey(), 0L);
            sum += Math.max(0, e.getValue() - previous);
        }
        return sum;
    }

    private static Map<Long, Long> cpuNanos(List<ProcessHandle> own) {
        Map<Long, Long> nanos = new HashMap<>();
        for (ProcessHandle process : own) {
            Optional<Duration> cpuTime = process.info().totalCpuDuration();
            cpuTime.ifPresent(d -> nanos.put(process.pid(), d.toNanos()));
        }
        return nanos;
    }

    private static long totalTicks(long[] ticks) {
        long sum = 0;
        for (long t : ticks) {
            sum += t;
        }
        return sum;
    }

    private static long delta(long[] before, long[] after, TickType type) {
        return after[type.getIndex()] - before[type.getIndex()];
    }
}
