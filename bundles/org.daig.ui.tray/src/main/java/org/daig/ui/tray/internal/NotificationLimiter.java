package org.daig.ui.tray.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps the tray's messages rare: at most {@code perHour} in any hour. What arrives beyond that is
 * not shown but counted, and the next message that may be shown says how many were held back, so
 * nothing is silently lost and a flapping connection cannot flood the desktop.
 */
public final class NotificationLimiter {

    private static final Duration WINDOW = Duration.ofHours(1);

    private final Deque<Instant> shown = new ArrayDeque<>();
    private int perHour;
    private int heldBack;

    public NotificationLimiter(int perHour) {
        this.perHour = perHour;
    }

    /** A new limit (from the preferences); what was shown in the last hour still counts. */
    public void setPerHour(int perHour) {
        this.perHour = perHour;
    }

    /**
     * Whether a message may be shown now; if so, the text to show (with a line about the ones held
     * back since the last one shown), else null and the message is counted as held back.
     */
    public String admit(Instant now, String message) {
        while (!shown.isEmpty() && !shown.peekFirst().isAfter(now.minus(WINDOW))) {
            shown.removeFirst();
        }
        if (perHour <= 0 || shown.size() >= perHour) {
            heldBack++;
            return null;
        }
        shown.addLast(now);
        String text = heldBack == 0 ? message
                : message + "\n(" + heldBack + (heldBack == 1 ? " earlier message was" : " earlier messages were")
                        + " not shown: see the status window.)";
        heldBack = 0;
        return text;
    }

    /** How many messages were held back since the last one shown. */
    public int heldBack() {
        return heldBack;
    }
}
