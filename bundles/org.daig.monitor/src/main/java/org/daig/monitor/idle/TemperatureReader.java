package org.daig.monitor.idle;

import java.util.function.DoubleSupplier;

/**
 * CPU temperature from OSHI's sensors, at most every {@value #INTERVAL_MILLIS} ms: it changes
 * slowly, and on Windows OSHI asks WMI, which is slow. OSHI answers 0 when the OS does not say
 * (VMs, most Windows machines without admin rights); that is unknown, NaN, not 0 °C.
 */
final class TemperatureReader {

    static final long INTERVAL_MILLIS = 5_000;

    private final DoubleSupplier celsius;
    private long readAt = Long.MIN_VALUE / 2;
    private double last = Double.NaN;
    private String note;

    TemperatureReader(DoubleSupplier celsius) {
        this.celsius = celsius;
    }

    double read(long nowMillis, Notes notes) {
        if (nowMillis - readAt >= INTERVAL_MILLIS) {
            readAt = nowMillis;
            try {
                double value = celsius.getAsDouble();
                boolean plausible = value > 0 && value < 150;
                last = plausible ? value : Double.NaN;
                note = plausible ? null : "not reported by this machine";
            } catch (RuntimeException | LinkageError e) {
                last = Double.NaN;
                note = "cannot read the sensors (" + e + ")";
            }
        }
        if (note != null) {
            notes.add(Notes.TEMPERATURE, note);
        }
        return last;
    }
}
