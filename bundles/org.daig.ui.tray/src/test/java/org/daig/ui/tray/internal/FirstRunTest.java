package org.daig.ui.tray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.daig.ui.tray.internal.FirstRun.When;
import org.junit.jupiter.api.Test;

class FirstRunTest {

    @Test
    void eachChoiceOfWhenSetsTheIdlePolicy() {
        assertEquals(Map.of("mode", "idle", "idleMinutes", 5, "allowedHours", "", "runOnBattery", false),
                new FirstRun(true, null, null, When.IDLE, 5, false).policy());
        assertEquals(Map.of("mode", "idle", "idleMinutes", 5, "allowedHours", "22-7", "runOnBattery", true),
                new FirstRun(true, null, null, When.NIGHT, 5, true).policy());
        assertEquals(Map.of("mode", "always", "runOnBattery", false), new FirstRun(true, null, null, When.ALWAYS, 0, false).policy(),
                "always leaves the idle rules as they were, for when the volunteer switches back");
    }

    @Test
    void theGridIsSetOnlyWhereItWasAskedAndACodeOnlyWhereOneWasGiven() {
        assertEquals(Map.of(), new FirstRun(true, null, null, When.IDLE, 3, false).provider());
        assertEquals(Map.of("coordinatorUrl", "https://grid.example.org:7700"),
                new FirstRun(true, " https://grid.example.org:7700 ", "  ", When.IDLE, 3, false).provider());
        assertEquals(Map.of("coordinatorUrl", "https://grid.example.org:7700", ".enrolmentCode", "K7Q-22X"),
                new FirstRun(true, "https://grid.example.org:7700", " K7Q-22X\n", When.IDLE, 3, false).provider(),
                "the code is private (dot key) and trimmed as pasted");
    }

    @Test
    void badAnswersAreNamedByTheirFieldAndHowToFixThem() {
        assertEquals(List.of(), new FirstRun(true, "http://127.0.0.1:7700", "", When.IDLE, 3, false).problems());
        List<String> problems = new FirstRun(true, "grid.example.org", "two words", When.NIGHT, 0, false).problems();
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("Coordinator address: starts with http:// or https://"), problems.get(0));
        assertTrue(problems.get(1).startsWith("Minutes without input: between 1 and 1440"), problems.get(1));
        assertTrue(problems.get(2).startsWith("Enrolment code:"), problems.get(2));
        assertTrue(new FirstRun(true, "", null, When.IDLE, 3, false).problems().get(0).contains("empty"));
        assertTrue(new FirstRun(true, "https://", null, When.IDLE, 3, false).problems().get(0).startsWith("Coordinator address:"));
        assertEquals(List.of(), new FirstRun(true, null, null, When.ALWAYS, 0, false).problems(), "minutes do not matter for always");
    }
}
