package org.daig.monitor.idle;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.daig.api.machine.MachineState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/**
 * The real readings: input idle time from the OS (X11 or D-Bus on Linux, Windows, macOS), CPU, battery and
 * temperature from OSHI, foreign GPU use from nvidia-smi. Each reader fails on its own: OSHI
 * without its native library (a LinkageError) or a missing libXss leaves that reading unknown
 * with a note, and the rest still works.
 */
public final class OshiMachineReadings implements MachineReadings {

    private static final Logger LOG = LoggerFactory.getLogger(OshiMachineReadings.class);

    private final Clock clock;
    private final UserIdleReader userIdle;
    private final ForeignCpuReader cpu;
    private final NvidiaGpuReader gpu;
    private final PowerReader power;
    private final TemperatureReader temperature;
    /** Why OSHI cannot be used at all, or null. */
    private final String oshiProblem;

    public OshiMachineReadings(Clock clock) {
        this.clock = clock;
        this.userIdle = UserIdleReader.forThisOs();
        HardwareAbstractionLayer hardware = null;
        String problem = null;
        try {
            hardware = new SystemInfo().getHardware();
        } catch (RuntimeException | LinkageError e) {
            problem = "OSHI unavailable (" + e + ")";
            LOG.warn("CPU load, battery and temperature cannot be read: {}", problem);
        }
        this.oshiProblem = problem;
        HardwareAbstractionLayer hal = hardware;
        this.cpu = hal == null ? null : primedCpuReader(hal);
        this.power = new PowerReader(() -> hal.getPowerSources(), isLinux() ? Path.of("/sys/class/power_supply") : null);
        this.temperature = new TemperatureReader(() -> hal.getSensors().getCpuTemperature());
        this.gpu = new NvidiaGpuReader(NvidiaGpuReader.find(System.getenv("PATH"), NvidiaGpuReader.isWindows()),
                () -> hal != null && hasNvidiaCard(hal));
    }

    @Override
    public MachineState read() {
        Notes notes = new Notes();
        long now = clock.millis();
        List<ProcessHandle> own = ownProcesses();
        long idle = userIdle.idleMillis(notes);
        double cpuLoad = readCpu(own, notes);
        NvidiaGpuReader.GpuUse gpuUse = gpu.read(own.stream().map(ProcessHandle::pid).collect(Collectors.toSet()), now, notes);
        PowerReader.Power powerState = PowerReader.Power.MAINS;
        double celsius = Double.NaN;
        if (oshiProblem == null) {
            powerState = power.read(notes);
            celsius = temperature.read(now, notes);
        } else {
            notes.add(Notes.BATTERY, oshiProblem);
            notes.add(Notes.TEMPERATURE, oshiProblem);
        }
        return new MachineState(idle, cpuLoad, gpuUse.foreign(), gpuUse.users(), powerState.onBattery(),
                powerState.percent(), celsius, notes.toString(), now, idle >= 0 ? userIdle.source() : "");
    }

    private double readCpu(List<ProcessHandle> own, Notes notes) {
        if (cpu == null) {
            notes.add(Notes.FOREIGN_CPU, oshiProblem != null ? oshiProblem : "cannot read the CPU ticks");
            return -1;
        }
        try {
            return cpu.read(own, notes);
        } catch (RuntimeException | LinkageError e) {
            notes.add(Notes.FOREIGN_CPU, "cannot read the CPU ticks (" + e + ")");
            return -1;
        }
    }

    /** This JVM and everything it started, directly or not: the trainer workers and their helpers. */
    static List<ProcessHandle> ownProcesses() {
        ProcessHandle self = ProcessHandle.current();
        return Stream.concat(Stream.of(self), self.descendants()).collect(Collectors.toList());
    }

    private static ForeignCpuReader primedCpuReader(HardwareAbstractionLayer hal) {
        try {
            ForeignCpuReader reader = new ForeignCpuReader(hal.getProcessor());
            reader.prime(ownProcesses());
            return reader;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("The CPU load cannot be read: {}", e.toString());
            return null;
        }
    }

    private static boolean hasNvidiaCard(HardwareAbstractionLayer hal) {
        try {
            return hal.getGraphicsCards().stream().anyMatch(card -> (card.getVendor() + " " + card.getName())
                    .toLowerCase(Locale.ROOT).contains("nvidia"));
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    @Override
    public void close() {
        userIdle.close();
        gpu.close();
    }
}
