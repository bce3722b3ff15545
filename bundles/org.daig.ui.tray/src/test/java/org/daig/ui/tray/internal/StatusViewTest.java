package org.daig.ui.tray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.daig.api.machine.MachineState;
import org.junit.jupiter.api.Test;

/** The status window's "Idle time from" row, without drawing it. */
class StatusViewTest {

    @Test
    void theIdleTimeSourceIsNamedOrItsAbsenceSaid() {
        MachineState gnome = new MachineState(5_000, 0.1, false, "", false, -1, Double.NaN, "", 1, "GNOME (Mutter IdleMonitor)");
        assertEquals("GNOME (Mutter IdleMonitor)", StatusView.describeIdleSource(gnome));
        MachineState unknown = new MachineState(-1, 0.1, false, "", false, -1, Double.NaN,
                "user idle time: none of its sources answers (...)", 1);
        assertEquals("no source answers (the provider's log says why)", StatusView.describeIdleSource(unknown));
        assertEquals("no readings yet", StatusView.describeIdleSource(null));
    }
}
