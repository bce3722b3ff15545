package org.daig.ui.tray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class NotificationLimiterTest {

    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void atMostTheLimitInAnyHourAndTheNextShownSaysHowManyWereHeldBack() {
        NotificationLimiter limiter = new NotificationLimiter(2);
        assertEquals("Connection lost", limiter.admit(T0, "Connection lost"));
        assertEquals("Connected", limiter.admit(T0.plusSeconds(10), "Connected"));
        assertNull(limiter.admit(T0.plusSeconds(20), "Connection lost"), "a flapping connection does not flood the desktop");
        assertNull(limiter.admit(T0.plusSeconds(30), "Connected"));
        assertEquals(2, limiter.heldBack());
        assertNull(limiter.admit(T0.plus(Duration.ofMinutes(59)), "Task done"), "the first one shown is still within the hour");
        assertEquals("Task done\n(3 earlier messages were not shown: see the status window.)",
                limiter.admit(T0.plus(Duration.ofMinutes(60)), "Task done"));
        assertEquals(0, limiter.heldBack());
        assertNull(limiter.admit(T0.plus(Duration.ofMinutes(60)).plusSeconds(5), "Connected"), "the second one is still within its hour");
        assertEquals("Connected\n(1 earlier message was not shown: see the status window.)",
                limiter.admit(T0.plus(Duration.ofMinutes(60)).plusSeconds(10), "Connected"));
    }

    @Test
    void zeroShowsNothingAndANewLimitAppliesAtOnce() {
        NotificationLimiter limiter = new NotificationLimiter(0);
        assertNull(limiter.admit(T0, "Task done"));
        limiter.setPerHour(1);
        assertEquals("Task done\n(1 earlier message was not shown: see the status window.)", limiter.admit(T0.plusSeconds(1), "Task done"));
        assertNull(limiter.admit(T0.plusSeconds(2), "Task done"));
    }
}
