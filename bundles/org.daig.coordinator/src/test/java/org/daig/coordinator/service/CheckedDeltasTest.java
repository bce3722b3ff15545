package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The deltas kept between a result's check and its round's close: within their budget, oldest out first. */
class CheckedDeltasTest {

    @Test
    void pastItsBudgetTheOldestDeltasGoFirst() {
        CheckedDeltas kept = new CheckedDeltas(40); // ten floats
        kept.keep("a", null, new float[4]);
        kept.keep("b", null, new float[4]);
        kept.keep("c", null, new float[4]);
        assertNull(kept.get("a", null), "the oldest went to make room");
        assertEquals(4, kept.get("b", null).length);
        assertEquals(4, kept.get("c", null).length);
        assertEquals(32, kept.bytes());
    }

    @Test
    void aDeltaLargerThanTheBudgetIsNotKeptAndDisplacesNothing() {
        CheckedDeltas kept = new CheckedDeltas(40);
        kept.keep("a", null, new float[2]);
        kept.keep("huge", null, new float[11]);
        assertNull(kept.get("huge", null));
        assertEquals(2, kept.get("a", null).length);
        assertNull(CheckedDeltas.NONE.get("a", null));
        CheckedDeltas.NONE.keep("a", null, new float[1]);
        assertNull(CheckedDeltas.NONE.get("a", null), "a budget of 0 keeps nothing");
        CheckedDeltas negative = new CheckedDeltas(-5); // a negative checkedDeltasMiB, which ConfigAdmin lets through
        negative.keep("a", null, new float[1]);
        assertNull(negative.get("a", null));
        assertEquals(0, negative.bytes());
    }

    @Test
    void aDeltaIsKeptAsItWasDecodedAndForgottenWithItsRound() {
        CheckedDeltas kept = new CheckedDeltas(1024);
        kept.keep("a", "int8", new float[] { 1, 2 });
        kept.keep("b", null, new float[] { 3 });
        assertNull(kept.get("a", null), "decoded with another compression: not the same vector");
        assertArrayEquals(new float[] { 1, 2 }, kept.get("a", "int8"));
        kept.forget(List.of("a", "b", "never kept"), "int8");
        assertNull(kept.get("a", "int8"));
        assertArrayEquals(new float[] { 3 }, kept.get("b", null), "forgotten only under the round's own compression");
        assertEquals(4, kept.bytes());
    }
}
