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
        assertTrue(Topics.matches("a/+", "a/"), "+ matches an empty level");
        assertFalse(Topics.matches("a/+", "a"));
        assertFalse(Topics.matches("providers/a", "providers/ab"));
        assertTrue(Topics.matches("#", ""));
        assertTrue(Topics.matches("+/+", "/"));
    }

    /**
     * Every filter and topic up to five characters of {@code a b / + #} against the MQTT rule written
     * level by level the plain way: the matcher walks the strings without splitting them, and must
     * agree on every pair, empty levels included.
     */
    @Test
    void matchingAgreesWithTheRuleOnEveryShortFilterAndTopic() {
        java.util.List<String> strings = new java.util.ArrayList<>(java.util.List.of(""));
        for (int length = 1, from = 0; length <= 5; length++) {
            int to = strings.size();
            for (int i = from; i < to; i++) {
                for (char c : "ab/+#".toCharArray()) {
                    strings.add(strings.get(i) + c);
                }
            }
            from = to;
        }
        int matched = 0;
        for (String filter : strings) {
            for (String topic : strings) {
                if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
                    continue; // a topic has no wildcards
                }
                boolean expected = byTheRule(filter, topic);
                assertEquals(expected, Topics.matches(filter, topic), () -> "'" + filter + "' against '" + topic + "'");
                matched += expected ? 1 : 0;
            }
        }
        assertTrue(matched > 1000, "the cases include matches, not only refusals: " + matched);
    }

    private static boolean byTheRule(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return i == f.length - 1;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
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
