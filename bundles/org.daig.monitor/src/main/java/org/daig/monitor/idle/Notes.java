package org.daig.monitor.idle;

import java.util.ArrayList;
import java.util.List;

/**
 * What a sample could not read, and why, as "reading: cause" entries joined by "; " — the form of
 * {@link org.daig.api.machine.MachineState#notes()}. Causes never contain "; ".
 */
public final class Notes {

    public static final String USER_IDLE = "user idle time";
    public static final String FOREIGN_CPU = "foreign CPU";
    public static final String GPU = "GPU";
    public static final String BATTERY = "battery";
    public static final String TEMPERATURE = "CPU temperature";

    private static final String SEPARATOR = "; ";

    private final List<String> entries = new ArrayList<>();

    public void add(String reading, String cause) {
        entries.add(reading + ": " + cause.replace(SEPARATOR, ", "));
    }

    @Override
    public String toString() {
        return String.join(SEPARATOR, entries);
    }

    /** The cause noted for a reading, or null. */
    public static String find(String notes, String reading) {
        if (notes == null) {
            return null;
        }
        for (String entry : notes.split(SEPARATOR)) {
            if (entry.startsWith(reading + ": ")) {
                return entry.substring(reading.length() + 2);
            }
        }
        return null;
    }
}
