package org.daig.accounts.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most {@code maxEvents} events per key within a sliding window (login failures per user and
 * per address, sign-ups per address). Memory is bounded: at most {@code maxKeys} keys are kept;
 * past that, keys whose events have all aged out go first, then the least recently touched (so a
 * flood of fresh keys can push a limited key out: the price of bounded memory).
 */
public final class RateLimiter {

    private final int maxEvents;
    private final long windowMillis;
    private final LongSupplier clock;
    private final int maxKeys;
    private final LinkedHashMap<String, ArrayDeque<Long>> events = new LinkedHashMap<>(16, 0.75f, true);

    public RateLimiter(int maxEvents, long windowMillis, LongSupplier clock, int maxKeys) {
        if (maxEvents < 1 || windowMillis < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("maxEvents, windowMillis and maxKeys must be positive");
        }
        this.maxEvents = maxEvents;
        this.windowMillis = windowMillis;
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    /** Milliseconds until {@code key} may act again; 0 when it may now. */
    public synchronized long retryAfterMillis(String key) {
        ArrayDeque<Long> times = events.get(key);
        if (times == null) {
            return 0;
        }
        long now = clock.getAsLong();
        prune(times, now);
        if (times.isEmpty()) {
            events.remove(key);
            return 0;
        }
        return times.size() < maxEvents ? 0 : Math.max(1, times.peekFirst() + windowMillis - now);
    }

    /** Counts one event (a failure, a sign-up) for {@code key}. */
    public synchronized void record(String key) {
        long now = clock.getAsLong();
        ArrayDeque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        prune(times, now);
        times.addLast(now);
        while (times.size() > maxEvents) {
            times.removeFirst(); // only the newest maxEvents matter for the decision
        }
        if (events.size() > maxKeys) {
            evict(now);
        }
    }

    /** Forgets {@code key}'s events (a successful login clears the user's failures). */
    public synchronized void clear(String key) {
        events.remove(key);
    }

    synchronized int keys() {
        return events.size();
    }

    private void prune(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() + windowMillis <= now) {
            times.removeFirst();
        }
    }

    private void evict(long now) {
        for (Iterator<Map.Entry<String, ArrayDeque<Long>>> it = events.entrySet().iterator(); it.hasNext();) {
            ArrayDeque<Long> times = it.next().getValue();
            prune(times, now);
            if (times.isEmpty()) {
                it.remove();
            }
        }
        int target = maxKeys - maxKeys / 10; // a tenth of room, so a flood of new keys does not sweep on every event
        Iterator<String> oldest = events.keySet().iterator();
        while (events.size() > target && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
