package org.daig.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpertUidTest {

    @Test
    void parsesAndPrintsTheSameText() {
        ExpertUid uid = ExpertUid.parse("ffn_expert.98.7");
        assertEquals("ffn_expert", uid.prefix());
        assertEquals(2, uid.dimensions());
        assertEquals(98, uid.coordinate(0));
        assertEquals(7, uid.coordinate(1));
        assertEquals("ffn_expert.98.7", uid.toString());
        assertEquals(uid, ExpertUid.of("ffn_expert", 98, 7));
    }

    @Test
    void prefixKeysGrowOneCoordinateAtATime() {
        ExpertUid uid = ExpertUid.parse("ffn.3.1.4");
        assertEquals("ffn", uid.prefixKey(0));
        assertEquals("ffn.3", uid.prefixKey(1));
        assertEquals("ffn.3.1", uid.prefixKey(2));
        assertEquals("ffn.3.1.4", uid.prefixKey(3));
        assertThrows(IllegalArgumentException.class, () -> uid.prefixKey(4));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''              | empty",
        "ffn             | has no grid coordinates",
        "ffn.            | coordinate 1 ('')",
        "ffn.03          | coordinate 1 ('03') is not a non-negative integer without leading zeros",
        "ffn.1.-2        | coordinate 2 ('-2')",
        "ffn.1.x         | coordinate 2 ('x')",
        "3ffn.1          | prefix '3ffn' must start with a letter",
        "f f.1           | prefix 'f f'",
        ".1.2            | prefix ''",
        "ffn.1.2.3.4.5.6.7.8.9 | has 9 coordinates; at most 8",
        "ffn.9999999999  | coordinate 1 ('9999999999')",
    })
    void badUidsAreRefusedSayingWhy(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExpertUid.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void tooLongUidsAreRefused() {
        String text = "p".repeat(130) + ".1";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExpertUid.parse(text));
        assertTrue(e.getMessage().contains("longer than 128"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExpertUid.of("ffn", -1));
        assertThrows(IllegalArgumentException.class, () -> ExpertUid.of("ffn"));
    }

    @Test
    void gridsEnumerateAndCheckTheirCells() {
        ExpertGrid grid = ExpertGrid.parse("ffn", "4x4");
        assertEquals(16, grid.cells());
        assertEquals("ffn.0.0", grid.uid(0).toString());
        assertEquals("ffn.1.2", grid.uid(6).toString());
        assertEquals("ffn.3.3", grid.uid(15).toString());
        assertEquals(ExpertUid.parse("ffn.2.3"), grid.check(ExpertUid.parse("ffn.2.3")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> grid.check(ExpertUid.parse("ffn.2.4"))).getMessage()
                .contains("coordinate 2 (4) is outside 0..3 of grid ffn 4x4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> grid.check(ExpertUid.parse("attn.2.3"))).getMessage()
                .contains("needs 'ffn'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> grid.check(ExpertUid.parse("ffn.2"))).getMessage()
                .contains("has 1 coordinates, grid ffn 4x4 has 2 dimensions"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExpertGrid.parse("ffn", "4xfour")).getMessage()
                .contains("'four' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExpertGrid.parse("ffn", "4x0")).getMessage()
                .contains("dimension 1 has size 0"));
        assertThrows(IllegalArgumentException.class, () -> grid.uid(16));
    }
}
