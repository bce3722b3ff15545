package org.daig.coordinator.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.daig.api.bus.MessageBus;
import org.daig.api.task.TaskRequest;

/**
 * Task requests that found no task and whose providers said they would wait for one (a long
 * poll, {@link TaskRequest#waitMs}): at most one per provider, its latest, in the order they came.
 * The exchange offers tasks to them when tasks may have appeared and answers "no task" when their
 * wait ends. Used by the exchange's desk thread only.
 */
final class HeldRequests {

    /** A held request, the bus to answer on, and when its wait ends ({@link System#nanoTime()}). */
    record Held(MessageBus bus, String providerId, TaskRequest request, long deadlineNanos) {
    }

    private final Map<String, Held> byProvider = new LinkedHashMap<>();

    void hold(Held held) {
        byProvider.remove(held.providerId()); // re-held at the end: the order is the order of waiting since
        byProvider.put(held.providerId(), held);
    }

    /** Takes the provider's held request if it is still this one (not replaced by a newer request), else null. */
    Held take(String providerId, String requestId) {
        Held held = byProvider.get(providerId);
        if (held == null || !held.request().requestId().equals(requestId)) {
            return null;
        }
        return byProvider.remove(providerId);
    }

    /** The provider asked again, went offline or was banned: its held request is dropped unanswered. */
    void drop(String providerId) {
        byProvider.remove(providerId);
    }

    List<Held> all() {
        return List.copyOf(byProvider.values());
    }

    /** Removes and returns the requests whose wait ended by {@code nowNanos}. */
    List<Held> ended(long nowNanos) {
        List<Held> ended = new ArrayList<>();
        for (Iterator<Held> it = byProvider.values().iterator(); it.hasNext();) {
            Held held = it.next();
            if (held.deadlineNanos() - nowNanos <= 0) {
                ended.add(held);
                it.remove();
            }
        }
        return ended;
    }

    boolean isEmpty() {
        return byProvider.isEmpty();
    }

    int size() {
        return byProvider.size();
    }
}
