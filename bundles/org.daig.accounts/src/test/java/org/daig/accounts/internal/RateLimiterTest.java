package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** 5 failures in 15 minutes, on a clock the test turns. */
class RateLimiterTest {

    private static final long WINDOW = 15 * 60_000L;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RateLimiter limiter = new RateLimiter(5, WINDOW, now::get, 1000);

    @Test
    void theSixthTryWithinTheWindowWaitsUntilTheOldestFailureAgesOut() {
        for (int i = 0; i < 5; i++) {
            assertEquals(0, limiter.retryAfterMillis("alice"), "try " + (i + 1) + " may go ahead");
            limiter.record("alice");
            now.addAndGet(1000);
        }
        assertEquals(WINDOW - 5000, limiter.retryAfterMillis("alice"));
        assertEquals(0, limiter.retryAfterMillis("bob"), "other keys are not affected");
        now.addAndGet(WINDOW - 5000 - 1);
        assertEquals(1, limiter.retryAfterMillis("alice"));
        now.addAndGet(1);
        assertEquals(0, limiter.retryAfterMillis("alice"), "the first failure aged out");
        limiter.record("alice");
        assertTrue(limiter.retryAfterMillis("alice") > 0, "four recent ones plus this one: limited again");
    }

    @Test
    void clearingForgetsAKey() {
        for (int i = 0; i < 5; i++) {
            limiter.record("alice");
        }
        limiter.clear("alice");
        assertEquals(0, limiter.retryAfterMillis("alice"));
    }

    @Test
    void memoryIsBoundedByTheKeyLimit() {
        for (int i = 0; i < 5000; i++) {
            limiter.record("address-" + i);
        }
        assertTrue(limiter.keys() <= 1000, "kept " + limiter.keys());
        limiter.record("late");
        assertEquals(0, limiter.retryAfterMillis("late"), "one failure: not limited");
    }

    @Test
    void keysWhoseEventsAgedOutAreEvictedBeforeLiveOnes() {
        RateLimiter small = new RateLimiter(1, 1000, now::get, 10);
        for (int i = 0; i < 9; i++) {
            small.record("old-" + i);
        }
        now.addAndGet(5000);
        small.record("live");
        small.record("another"); // the 11th key: the nine aged-out ones go, the live ones stay
        assertEquals(2, small.keys());
        assertTrue(small.retryAfterMillis("live") > 0, "the live key kept its failure");
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, WINDOW, now::get, 10));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(5, 0, now::get, 10));
    }
}
