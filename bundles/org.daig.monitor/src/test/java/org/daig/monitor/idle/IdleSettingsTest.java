package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.monitor.idle.IdleSettings.Mode;
import org.daig.monitor.idle.IdleSettings.WhenIdleUnknown;
import org.junit.jupiter.api.Test;

class IdleSettingsTest {

    @Test
    void theConfigurationDefaultsAreTheSettingsDefaults() {
        List<String> warnings = new ArrayList<>();
        assertEquals(IdleSettings.DEFAULTS, IdleSettings.from(Fixtures.config(Map.of()), warnings::add));
        assertEquals(List.of(), warnings);
    }

    @Test
    void valuesAreReadCaseInsensitively() {
        IdleSettings settings = IdleSettings.from(Fixtures.config(Map.of("mode", " Always ", "whenIdleUnknown", "WAIT",
                "maxWorkerHeap", "1500M")), w -> { });
        assertEquals(Mode.ALWAYS, settings.mode());
        assertEquals(WhenIdleUnknown.WAIT, settings.whenIdleUnknown());
        assertEquals("1500m", settings.maxWorkerHeap());
    }

    @Test
    void nonsenseFallsBackToTheDefaultsWithAWarning() {
        List<String> warnings = new ArrayList<>();
        IdleSettings settings = IdleSettings.from(Fixtures.config(Map.of("mode", "sometimes", "maxForeignCpuPercent", 250,
                "idleMinutes", -3, "maxWorkerHeap", "lots")), warnings::add);
        assertEquals(Mode.IDLE, settings.mode());
        assertEquals(25, settings.maxForeignCpuPercent());
        assertEquals(3, settings.idleMinutes());
        assertEquals("2g", settings.maxWorkerHeap());
        assertEquals(4, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("idle/always/never"), warnings.get(0));
    }

    @Test
    void workerThreadsDefaultToHalfTheCoresAndNeverExceedThem() {
        assertEquals(4, IdleSettings.DEFAULTS.workerThreads(8));
        assertEquals(1, IdleSettings.DEFAULTS.workerThreads(3));
        assertEquals(1, IdleSettings.DEFAULTS.workerThreads(1));
        assertEquals(1, IdleSettings.DEFAULTS.workerThreads(0));
        Fixtures.Settings six = Fixtures.settings();
        six.maxWorkerThreads = 6;
        assertEquals(6, six.build().workerThreads(8));
        assertEquals(4, six.build().workerThreads(4));
        assertEquals("2g", IdleSettings.DEFAULTS.maxWorkerHeap());
    }

    @Test
    void allowedHoursParseRangesListsAndMinutes() {
        assertTrue(AllowedHours.parse("").allows(LocalTime.of(3, 0)));
        assertTrue(AllowedHours.parse("8:30-17").allows(LocalTime.of(8, 30)));
        assertFalse(AllowedHours.parse("8:30-17").allows(LocalTime.of(8, 29)));
        assertTrue(AllowedHours.parse("0-24").allows(LocalTime.of(23, 59)));
        assertTrue(AllowedHours.parse("6-6").allows(LocalTime.of(1, 0)), "same start and end: the whole day, as in BOINC");
        assertTrue(AllowedHours.parse("22-24").allows(LocalTime.of(23, 0)));
        assertFalse(AllowedHours.parse("22-24").allows(LocalTime.of(0, 30)));
        assertTrue(AllowedHours.parse("1-2,22-7").allows(LocalTime.of(6, 59)));
        assertThrows(IllegalArgumentException.class, () -> AllowedHours.parse("9-"));
        assertThrows(IllegalArgumentException.class, () -> AllowedHours.parse("25-7"));
        assertThrows(IllegalArgumentException.class, () -> AllowedHours.parse("9:75-10"));
        assertThrows(IllegalArgumentException.class, () -> AllowedHours.parse("9-17,"));
    }
}
