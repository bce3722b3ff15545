package org.daig.api.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void everyClientWritesBelowItsOwnSubtree() {
        String tree = Topics.clientTree(Topics.PROVIDER, "p-1");
        assertEquals("providers/p-1", tree);
        assertTrue(Topics.presence(Topics.PROVIDER, "p-1").startsWith(tree + "/"));
        assertTrue(Topics.providerInfo("p-1").startsWith(tree + "/"));
        assertTrue(Topics.coordinatorInfo("c-1").startsWith(Topics.clientTree(Topics.COORDINATOR, "c-1") + "/"));
    }

    @Test
    void wildcardFiltersSelectTheRightTopics() {
        assertTrue(Topics.matches(Topics.presenceOfAll(Topics.PROVIDER), "providers/p-1/presence"));
        assertFalse(Topics.matches(Topics.presenceOfAll(Topics.PROVIDER), "coordinators/c/presence"));
        assertFalse(Topics.matches("providers/+/presence", "providers/p/q/presence"));
        assertTrue(Topics.matches(Topics.ALL_PROVIDER_INFOS, Topics.providerInfo("x")));
        assertTrue(Topics.matches("providers/#", "providers"));
        assertTrue(Topics.matches("providers/#", "providers/a/b/c"));
        assertFalse(Topics.matches("providers/#/x", "providers/a/x"));
        assertFalse(Topics.matches("providers/a", "providers/a/b"));
        assertTrue(Topics.matches("a/b", "a/b"));
    }

    @Test
    void idsThatWouldBreakTheLayoutAreRefused() {
        for (String bad : new String[] { "", "a/b", "+", "#", "-lead", "x".repeat(65), "with space" }) {
            assertFalse(Topics.isValidSegment(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> Topics.presence(Topics.PROVIDER, bad), bad);
        }
        assertFalse(Topics.isValidSegment(null));
        assertTrue(Topics.isValidSegment("provider-host-1a2b3c"));
    }

    @Test
    void segmentsAreReadByIndex() {
        assertEquals("p-1", Topics.segment("providers/p-1/presence", 1));
        assertNull(Topics.segment("providers", 2));
    }
}
