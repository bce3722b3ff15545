package org.daig.monitor.idle;

import org.daig.api.machine.MachineState;

/** Takes one sample of the machine; the monitor calls it from one thread, once a second. */
public interface MachineReadings extends AutoCloseable {

    /**
     * Reads the machine now. Never throws and never blocks for long: what cannot be read is -1
     * (NaN for the temperature) with a note saying why.
     */
    MachineState read();

    /** Releases what the readers hold (the X11 display connection). */
    @Override
    default void close() {
    }
}
