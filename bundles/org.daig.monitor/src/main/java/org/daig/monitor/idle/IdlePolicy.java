package org.daig.monitor.idle;

import java.time.Clock;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.MachineState;
import org.daig.monitor.idle.IdleSettings.Mode;
import org.daig.monitor.idle.IdleSettings.WhenIdleUnknown;

/**
 * Decides from a sample whether training may run, after BOINC's computing preferences. The rules
 * are checked in a fixed order and the first that fails gives the reason; when all pass, the
 * reason sums up what was seen ("idle 6 min, foreign CPU 3%").
 *
 * <p>Hysteresis: only the foreign-CPU rule has any. A program that starts, or a compile that
 * spikes for a second, would otherwise suspend and resume the worker every few seconds. While
 * training runs, the foreign load must be over the limit on {@value #CPU_BREACH_SAMPLES}
 * consecutive samples (one second apart) before it stops. Everything else stops at once: the
 * provider must suspend within a second of a user coming back, of unplugging the charger or of a
 * policy change, and these signals do not flicker. Starting needs no hysteresis either: the input
 * idle time (3 minutes by default) already makes starting slow and steady.
 *
 * <p>No OSHI or JNA here: the readings arrive as a {@link MachineState}. The only memory is the
 * recent foreign-CPU loads and whether the last decision let training run; re-deciding on the same
 * sample (after a policy change) does not count it twice.
 */
public final class IdlePolicy {

    /** Consecutive samples over the foreign-CPU limit that stop running training. */
    public static final int CPU_BREACH_SAMPLES = 2;

    private final Clock clock;
    /** Foreign CPU loads of the latest samples, newest first; -1 where unknown. */
    private final Deque<Double> recentCpu = new ArrayDeque<>();
    private long lastSampleAt = Long.MIN_VALUE;
    private boolean running;

    /** @param clock the time and zone the allowed hours are read in */
    public IdlePolicy(Clock clock) {
        this.clock = clock;
    }

    public synchronized IdleDecision decide(IdleSettings settings, MachineState state) {
        if (state.sampledAt() != lastSampleAt) {
            lastSampleAt = state.sampledAt();
            recentCpu.addFirst(state.foreignCpuLoad());
            while (recentCpu.size() > CPU_BREACH_SAMPLES) {
                recentCpu.removeLast();
            }
        }
        String stop = firstFailingRule(settings, state);
        IdleDecision decision = stop != null ? new IdleDecision(false, stop, state)
                : new IdleDecision(true, settings.mode() == Mode.ALWAYS ? "policy: always" : summary(settings, state), state);
        running = decision.mayRun();
        return decision;
    }

    private String firstFailingRule(IdleSettings settings, MachineState state) {
        switch (settings.mode()) {
        case ALWAYS:
            return null;
        case NEVER:
            return "paused by the user (policy: never)";
        default:
            break;
        }
        String reason = userInput(settings, state);
        if (reason == null) {
            reason = foreignCpu(settings, state);
        }
        if (reason == null && !settings.allowWhileGpuInUse() && state.foreignGpuUse()) {
            reason = state.gpuUsers().isBlank() ? "GPU used by another process"
                    : "GPU used by another process (" + state.gpuUsers() + ")";
        }
        if (reason == null) {
            reason = battery(settings, state);
        }
        if (reason == null) {
            reason = hours(settings);
        }
        if (reason == null) {
            reason = temperature(settings, state);
        }
        return reason;
    }

    private static String userInput(IdleSettings settings, MachineState state) {
        if (settings.idleMinutes() == 0) {
            return null;
        }
        long idle = state.userIdleMillis();
        if (idle < 0) {
            return settings.whenIdleUnknown() == WhenIdleUnknown.WAIT
                    ? idleUnknown(state) + ": waiting (policy: whenIdleUnknown=wait)" : null;
        }
        if (idle < settings.idleMinutes() * 60_000L) {
            return idle < 1000 ? "user active just now" : "user active " + duration(idle) + " ago";
        }
        return null;
    }

    private String foreignCpu(IdleSettings settings, MachineState state) {
        double load = state.foreignCpuLoad();
        if (load < 0 || Double.isNaN(load) || load * 100 <= settings.maxForeignCpuPercent()) {
            return null;
        }
        if (running && samplesOverLimit(settings) < CPU_BREACH_SAMPLES) {
            return null; // one sample is not a trend yet; the summary says it
        }
        return "other programs use " + percent(load) + " CPU (limit " + settings.maxForeignCpuPercent() + "%)";
    }

    /** Consecutive latest samples over the current limit (so a lowered limit counts the past samples too). */
    private int samplesOverLimit(IdleSettings settings) {
        int over = 0;
        for (Iterator<Double> it = recentCpu.iterator(); it.hasNext();) {
            double load = it.next();
            if (load < 0 || load * 100 <= settings.maxForeignCpuPercent()) {
                break;
            }
            over++;
        }
        return over;
    }

    private static String battery(IdleSettings settings, MachineState state) {
        if (!state.onBattery()) {
            return null;
        }
        int percent = state.batteryPercent();
        if (!settings.runOnBattery()) {
            return percent >= 0 ? "on battery " + percent + "%" : "on battery";
        }
        if (percent >= 0 && percent < settings.minBatteryPercent()) {
            return "battery " + percent + "% (below " + settings.minBatteryPercent() + "%)";
        }
        return null;
    }

    private String hours(IdleSettings settings) {
        String text = settings.allowedHours();
        AllowedHours hours;
        try {
            hours = AllowedHours.parse(text);
        } catch (IllegalArgumentException e) {
            // A typo must not let training run at hours the volunteer meant to exclude.
            return "allowed hours \"" + text + "\" not understood (" + e.getMessage() + "; write e.g. 22-7 or 9-12,14-17)";
        }
        return hours.allows(LocalTime.now(clock)) ? null : "outside allowed hours " + text;
    }

    private static String temperature(IdleSettings settings, MachineState state) {
        double celsius = state.cpuTemperature();
        int limit = settings.maxCpuTemperature();
        if (limit <= 0 || Double.isNaN(celsius) || celsius <= limit) {
            return null;
        }
        return String.format(Locale.ROOT, "CPU at %.0f °C (limit %d °C)", celsius, limit);
    }

    private String summary(IdleSettings settings, MachineState state) {
        StringBuilder text = new StringBuilder();
        long idle = state.userIdleMillis();
        if (settings.idleMinutes() > 0) {
            text.append(idle >= 0 ? "idle " + duration(idle) : idleUnknown(state) + ": going by CPU load").append(", ");
        }
        double load = state.foreignCpuLoad();
        text.append(load >= 0 ? "foreign CPU " + percent(load) : "foreign CPU unknown");
        int over = samplesOverLimit(settings);
        if (load >= 0 && over > 0) {
            text.append(" (over the ").append(settings.maxForeignCpuPercent()).append("% limit on ").append(over)
                    .append(over == 1 ? " sample)" : " samples)");
        }
        if (state.onBattery()) {
            text.append(state.batteryPercent() >= 0 ? ", on battery " + state.batteryPercent() + "%" : ", on battery");
        }
        return text.toString();
    }

    /** "user idle time unknown (no X11 display)": the cause is the note's text up to its first parenthesis. */
    private static String idleUnknown(MachineState state) {
        String cause = Notes.find(state.notes(), Notes.USER_IDLE);
        if (cause == null) {
            return "user idle time unknown";
        }
        int paren = cause.indexOf(" (");
        return "user idle time unknown (" + (paren > 0 ? cause.substring(0, paren) : cause) + ")";
    }

    /** "12 s", "2 min", "3 h 5 min". */
    static String duration(long millis) {
        long seconds = millis / 1000;
        if (seconds < 60) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + " min";
        }
        return minutes % 60 == 0 ? minutes / 60 + " h" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    private static String percent(double load) {
        return Math.round(load * 100) + "%";
    }
}
