package org.daig.monitor.idle;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The idle policy's settings as plain values, so the policy can be tested without OSGi. Built from
 * {@link IdlePolicyConfig} by {@link #from}, which replaces values that make no sense by the
 * defaults and says so.
 *
 * @param mode                 whether the rules apply at all
 * @param idleMinutes          minutes without user input before training may run; 0: no input rule
 * @param whenIdleUnknown      what to do when the input idle time cannot be read
 * @param maxForeignCpuPercent CPU share other programs may use, 0..100
 * @param allowWhileGpuInUse   whether training may run while another process computes on the GPU
 * @param runOnBattery         whether training may run on battery
 * @param minBatteryPercent    on battery, the charge below which training pauses
 * @param allowedHours         e.g. "22-7", "9-12,14-17"; empty: any time (parsed by {@link AllowedHours})
 * @param maxCpuTemperature    °C above which training pauses; 0: no limit
 * @param maxWorkerThreads     CPU threads per worker; 0: half the logical cores, at least 1
 * @param maxWorkerHeap        worker heap, Java -Xmx syntax ("2g")
 */
public record IdleSettings(Mode mode, int idleMinutes, WhenIdleUnknown whenIdleUnknown, int maxForeignCpuPercent,
        boolean allowWhileGpuInUse, boolean runOnBattery, int minBatteryPercent, String allowedHours,
        int maxCpuTemperature, int maxWorkerThreads, String maxWorkerHeap) {

    public enum Mode { IDLE, ALWAYS, NEVER }

    public enum WhenIdleUnknown { RUN, WAIT }

    /** The defaults of {@link IdlePolicyConfig}. */
    public static final IdleSettings DEFAULTS = new IdleSettings(Mode.IDLE, 3, WhenIdleUnknown.RUN, 25, false, false, 50,
            "", 85, 0, "2g");

    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

    public IdleSettings {
        allowedHours = allowedHours == null ? "" : allowedHours.trim();
    }

    /** Settings from the configuration; a value that makes no sense is replaced by its default and reported to {@code warn}. */
    public static IdleSettings from(IdlePolicyConfig config, Consumer<String> warn) {
        return new IdleSettings(
                parse(Mode.class, config.mode(), DEFAULTS.mode, "mode", warn),
                atLeast(0, config.idleMinutes(), DEFAULTS.idleMinutes, "idleMinutes", warn),
                parse(WhenIdleUnknown.class, config.whenIdleUnknown(), DEFAULTS.whenIdleUnknown, "whenIdleUnknown", warn),
                percent(config.maxForeignCpuPercent(), DEFAULTS.maxForeignCpuPercent, "maxForeignCpuPercent", warn),
                config.allowWhileGpuInUse(),
                config.runOnBattery(),
                percent(config.minBatteryPercent(), DEFAULTS.minBatteryPercent, "minBatteryPercent", warn),
                config.allowedHours(), // checked by the policy, which reports a typo as its reason to pause
                atLeast(0, config.maxCpuTemperature(), DEFAULTS.maxCpuTemperature, "maxCpuTemperature", warn),
                atLeast(0, config.maxWorkerThreads(), DEFAULTS.maxWorkerThreads, "maxWorkerThreads", warn),
                heap(config.maxWorkerHeap(), warn));
    }

    /** Threads a worker may use on a machine with this many logical cores: as configured, never more than the cores. */
    public int workerThreads(int logicalCores) {
        int cores = Math.max(1, logicalCores);
        return maxWorkerThreads > 0 ? Math.min(maxWorkerThreads, cores) : Math.max(1, cores / 2);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, E fallback, String name, Consumer<String> warn) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            warn.accept(name + " \"" + value + "\" is not one of " + lowerCase(type) + "; using " + lowerCase(fallback));
            return fallback;
        }
    }

    private static int atLeast(int min, int value, int fallback, String name, Consumer<String> warn) {
        if (value < min) {
            warn.accept(name + " " + value + " is below " + min + "; using " + fallback);
            return fallback;
        }
        return value;
    }

    private static int percent(int value, int fallback, String name, Consumer<String> warn) {
        if (value < 0 || value > 100) {
            warn.accept(name + " " + value + " is not a percentage (0..100); using " + fallback);
            return fallback;
        }
        return value;
    }

    private static String heap(String value, Consumer<String> warn) {
        String trimmed = value == null ? "" : value.trim();
        if (!HEAP.matcher(trimmed).matches()) {
            warn.accept("maxWorkerHeap \"" + value + "\" is not a heap size like 2g or 1500m; using " + DEFAULTS.maxWorkerHeap);
            return DEFAULTS.maxWorkerHeap;
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> String lowerCase(Class<E> type) {
        StringBuilder names = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : "/").append(lowerCase(constant));
        }
        return names.toString();
    }
}
