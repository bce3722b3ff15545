package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;

import org.daig.api.machine.MachineState;
import org.junit.jupiter.api.Test;

/**
 * The real readers on whatever machine runs the test: only what must hold anywhere — no
 * exception, and every value in its range or unknown with a note.
 */
class RealReadingsTest {

    @Test
    void theRealReadingsGiveValuesInRangeOrSayWhyNot() throws Exception {
        try (OshiMachineReadings readings = new OshiMachineReadings(Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                MachineState state = readings.read();
                check(state);
                Thread.sleep(200); // a CPU interval to measure over, not synchronisation
            }
        }
    }

    private static void check(MachineState state) {
        String notes = state.notes();
        assertNotNull(notes);
        assertTrue(state.userIdleMillis() >= 0 || Notes.find(notes, Notes.USER_IDLE) != null, notes);
        double cpu = state.foreignCpuLoad();
        assertTrue((cpu >= 0 && cpu <= 1) || (cpu == -1 && Notes.find(notes, Notes.FOREIGN_CPU) != null), cpu + " " + notes);
        assertNotNull(state.gpuUsers());
        assertEquals(state.foreignGpuUse(), !state.gpuUsers().isEmpty(), state.gpuUsers());
        assertTrue(state.batteryPercent() >= -1 && state.batteryPercent() <= 100, String.valueOf(state.batteryPercent()));
        double celsius = state.cpuTemperature();
        assertTrue((celsius > 0 && celsius < 150) || (Double.isNaN(celsius) && Notes.find(notes, Notes.TEMPERATURE) != null),
                celsius + " " + notes);
        assertTrue(state.sampledAt() > 0);
        System.out.println("Real sample: " + state);
    }
}
