package org.daig.monitor.idle;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import org.daig.api.machine.MachineState;
import org.daig.monitor.idle.IdleSettings.Mode;
import org.daig.monitor.idle.IdleSettings.WhenIdleUnknown;

/** Fake clock, readings and settings for the policy and monitor tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** A clock the test sets; UTC, so the allowed hours are read in UTC. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-03-10T12:00:00Z");

        void setTime(String localTime) {
            now = LocalDate.of(2025, 3, 10).atTime(LocalTime.parse(localTime)).toInstant(ZoneOffset.UTC);
        }

        void advanceMillis(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A sample, by default of an idle machine; each {@link #build()} gets a new sample time. */
    static final class State {
        private static long sampleCounter = 1_000_000;

        long userIdleMillis = 6 * 60_000;
        double foreignCpuLoad = 0.03;
        boolean foreignGpuUse;
        String gpuUsers = "";
        boolean onBattery;
        int batteryPercent = -1;
        double cpuTemperature = Double.NaN;
        String notes = "";

        State idle(long millis) {
            userIdleMillis = millis;
            return this;
        }

        State cpu(double load) {
            foreignCpuLoad = load;
            return this;
        }

        State gpu(String users) {
            foreignGpuUse = true;
            gpuUsers = users;
            return this;
        }

        State battery(int percent) {
            onBattery = true;
            batteryPercent = percent;
            return this;
        }

        State temperature(double celsius) {
            cpuTemperature = celsius;
            return this;
        }

        State notes(String text) {
            notes = text;
            return this;
        }

        MachineState build() {
            return new MachineState(userIdleMillis, foreignCpuLoad, foreignGpuUse, gpuUsers, onBattery, batteryPercent,
                    cpuTemperature, notes, sampleCounter += 1000);
        }
    }

    static State state() {
        return new State();
    }

    /** Settings starting from the defaults. */
    static final class Settings {
        Mode mode = IdleSettings.DEFAULTS.mode();
        int idleMinutes = IdleSettings.DEFAULTS.idleMinutes();
        WhenIdleUnknown whenIdleUnknown = IdleSettings.DEFAULTS.whenIdleUnknown();
        int maxForeignCpuPercent = IdleSettings.DEFAULTS.maxForeignCpuPercent();
        boolean allowWhileGpuInUse = IdleSettings.DEFAULTS.allowWhileGpuInUse();
        boolean runOnBattery = IdleSettings.DEFAULTS.runOnBattery();
        int minBatteryPercent = IdleSettings.DEFAULTS.minBatteryPercent();
        String allowedHours = IdleSettings.DEFAULTS.allowedHours();
        int maxCpuTemperature = IdleSettings.DEFAULTS.maxCpuTemperature();
        int maxWorkerThreads = IdleSettings.DEFAULTS.maxWorkerThreads();
        String maxWorkerHeap = IdleSettings.DEFAULTS.maxWorkerHeap();

        Settings mode(Mode value) {
            mode = value;
            return this;
        }

        Settings whenIdleUnknown(WhenIdleUnknown value) {
            whenIdleUnknown = value;
            return this;
        }

        Settings hours(String value) {
            allowedHours = value;
            return this;
        }

        IdleSettings build() {
            return new IdleSettings(mode, idleMinutes, whenIdleUnknown, maxForeignCpuPercent, allowWhileGpuInUse,
                    runOnBattery, minBatteryPercent, allowedHours, maxCpuTemperature, maxWorkerThreads, maxWorkerHeap);
        }
    }

    static Settings settings() {
        return new Settings();
    }

    /** An {@link IdlePolicyConfig} as DS would make it: the annotation's defaults, overridden by {@code values}. */
    static IdlePolicyConfig config(Map<String, Object> values) {
        return (IdlePolicyConfig) Proxy.newProxyInstance(Fixtures.class.getClassLoader(), new Class<?>[] { IdlePolicyConfig.class },
                (proxy, method, args) -> switch (method.getName()) {
                case "annotationType" -> IdlePolicyConfig.class;
                case "toString" -> "IdlePolicyConfig" + values;
                case "hashCode" -> values.hashCode();
                case "equals" -> proxy == args[0];
                default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }
}
