package org.daig.api.machine;

/**
 * What the machine is doing now, as far as this OS lets us see. A value that cannot be read here
 * is -1 (or NaN), and {@code notes} says why ("user idle time: no X11 display (Wayland or
 * headless)").
 *
 * @param userIdleMillis   time since the last keyboard or mouse input, -1 if unknown
 * @param foreignCpuLoad   CPU load of everything except this process and its workers, 0..1, -1 if unknown
 * @param foreignGpuUse    whether another process uses an NVIDIA GPU (false if it cannot be told)
 * @param gpuUsers         description of the foreign GPU use ("python (pid 4242) on GPU 0"), or empty
 * @param onBattery        whether the machine runs on battery
 * @param batteryPercent   charge left, -1 if there is no battery or it cannot be read
 * @param cpuTemperature   degrees Celsius, NaN if the OS does not expose it
 * @param notes            what could not be read, and why; empty when everything was
 * @param sampledAt        epoch milliseconds of the sample
 * @param userIdleSource   where the user idle time was read ("GNOME (Mutter IdleMonitor)", "X11 (MIT-SCREEN-SAVER)"),
 *                         empty when it is unknown; since 1.1
 */
public record MachineState(long userIdleMillis, double foreignCpuLoad, boolean foreignGpuUse, String gpuUsers, boolean onBattery,
        int batteryPercent, double cpuTemperature, String notes, long sampledAt, String userIdleSource) {

    public MachineState {
        userIdleSource = userIdleSource == null ? "" : userIdleSource;
    }

    /** A state without a named idle-time source (the 1.0 form). */
    public MachineState(long userIdleMillis, double foreignCpuLoad, boolean foreignGpuUse, String gpuUsers, boolean onBattery,
            int batteryPercent, double cpuTemperature, String notes, long sampledAt) {
        this(userIdleMillis, foreignCpuLoad, foreignGpuUse, gpuUsers, onBattery, batteryPercent, cpuTemperature, notes, sampledAt, "");
    }
}
