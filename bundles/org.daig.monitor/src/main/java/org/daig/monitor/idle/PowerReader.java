package org.daig.monitor.idle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import oshi.hardware.PowerSource;

/**
 * Battery and mains from OSHI's power sources. No power source means a desktop on mains. On
 * battery when a system battery discharges without the charger; the charge is the mean over the
 * system batteries. On Linux, batteries of wireless mice and keyboards (sysfs scope "Device") are
 * not the machine's and are skipped: they always "discharge".
 */
final class PowerReader {

    record Power(boolean onBattery, int percent) {
        static final Power MAINS = new Power(false, -1);
    }

    private final Supplier<List<PowerSource>> sources;
    private final Path linuxPowerSupplies;

    /** @param linuxPowerSupplies /sys/class/power_supply on Linux, null elsewhere */
    PowerReader(Supplier<List<PowerSource>> sources, Path linuxPowerSupplies) {
        this.sources = sources;
        this.linuxPowerSupplies = linuxPowerSupplies;
    }

    Power read(Notes notes) {
        try {
            boolean discharging = false;
            int sum = 0;
            int known = 0;
            for (PowerSource source : sources.get()) {
                if (isPeripheral(source.getName())) {
                    continue;
                }
                discharging |= source.isDischarging() && !source.isPowerOnLine();
                double capacity = source.getRemainingCapacityPercent();
                if (capacity >= 0 && capacity <= 1) {
                    sum += (int) Math.round(capacity * 100);
                    known++;
                }
            }
            return new Power(discharging, known == 0 ? -1 : Math.round((float) sum / known));
        } catch (RuntimeException | LinkageError e) {
            notes.add(Notes.BATTERY, "cannot read the power sources (" + e + ")");
            return Power.MAINS;
        }
    }

    private boolean isPeripheral(String name) {
        if (linuxPowerSupplies == null || name == null || name.isBlank()) {
            return false;
        }
        try {
            Path scope = linuxPowerSupplies.resolve(name).resolve("scope");
            return Files.isReadable(scope) && "Device".equalsIgnoreCase(Files.readString(scope).trim());
        } catch (Exception e) {
            return false;
        }
    }
}
