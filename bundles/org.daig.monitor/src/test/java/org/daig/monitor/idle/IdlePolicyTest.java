package org.daig.monitor.idle;

import static org.daig.monitor.idle.Fixtures.settings;
import static org.daig.monitor.idle.Fixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.MachineState;
import org.daig.monitor.idle.Fixtures.MutableClock;
import org.daig.monitor.idle.IdleSettings.Mode;
import org.daig.monitor.idle.IdleSettings.WhenIdleUnknown;
import org.junit.jupiter.api.Test;

class IdlePolicyTest {

    private final MutableClock clock = new MutableClock();
    private final IdlePolicy policy = new IdlePolicy(clock);
    private final IdleSettings defaults = IdleSettings.DEFAULTS;

    private IdleDecision decide(IdleSettings settings, MachineState state) {
        return policy.decide(settings, state);
    }

    private static void assertRuns(IdleDecision decision, String reason) {
        assertTrue(decision.mayRun(), decision.reason());
        assertEquals(reason, decision.reason());
    }

    private static void assertPaused(IdleDecision decision, String reason) {
        assertFalse(decision.mayRun(), decision.reason());
        assertEquals(reason, decision.reason());
    }

    @Test
    void anIdleMachineMayRunAndTheReasonSumsUpWhatWasSeen() {
        IdleDecision decision = decide(defaults, state().idle(6 * 60_000 + 30_000).cpu(0.03).build());
        assertRuns(decision, "idle 6 min, foreign CPU 3%");
        assertEquals(0.03, decision.state().foreignCpuLoad());
    }

    @Test
    void modeAlwaysRunsWhateverTheMachineDoes() {
        IdleSettings always = settings().mode(Mode.ALWAYS).build();
        assertRuns(decide(always, state().idle(2000).cpu(0.9).battery(10).gpu("python, pid 4242").temperature(99).build()),
                "policy: always");
    }

    @Test
    void modeNeverPausesAnIdleMachine() {
        assertPaused(decide(settings().mode(Mode.NEVER).build(), state().build()), "paused by the user (policy: never)");
    }

    @Test
    void recentUserInputPausesAtOnceInSecondsThenMinutes() {
        assertPaused(decide(defaults, state().idle(12_400).build()), "user active 12 s ago");
        assertPaused(decide(defaults, state().idle(150_000).build()), "user active 2 min ago");
        assertPaused(decide(defaults, state().idle(300).build()), "user active just now");
        assertRuns(decide(defaults, state().idle(180_000).build()), "idle 3 min, foreign CPU 3%");
    }

    @Test
    void inputComingBackStopsRunningTrainingWithoutHysteresis() {
        assertTrue(decide(defaults, state().idle(600_000).build()).mayRun());
        assertPaused(decide(defaults, state().idle(400).build()), "user active just now");
    }

    @Test
    void unknownIdleTimeGoesByTheCpuLoadByDefault() {
        MachineState headless = state().idle(-1).cpu(0.03)
                .notes("user idle time: no X11 display (Wayland or headless); CPU temperature: not reported by this machine").build();
        assertRuns(decide(defaults, headless), "user idle time unknown (no X11 display): going by CPU load, foreign CPU 3%");
        MachineState busy = state().idle(-1).cpu(0.63).notes("user idle time: no X11 display (Wayland or headless)").build();
        assertPaused(new IdlePolicy(clock).decide(defaults, busy), "other programs use 63% CPU (limit 25%)");
    }

    @Test
    void unknownIdleTimeWaitsWhenThePolicySaysSo() {
        IdleSettings wait = settings().whenIdleUnknown(WhenIdleUnknown.WAIT).build();
        MachineState state = state().idle(-1).notes("user idle time: libXss not installed (apt install libxss1)").build();
        assertPaused(decide(wait, state), "user idle time unknown (libXss not installed): waiting (policy: whenIdleUnknown=wait)");
        assertPaused(decide(wait, state().idle(-1).build()), "user idle time unknown: waiting (policy: whenIdleUnknown=wait)");
    }

    @Test
    void zeroIdleMinutesRunsWhileTheUserWorks() {
        Fixtures.Settings settings = settings();
        settings.idleMinutes = 0;
        assertRuns(decide(settings.build(), state().idle(500).cpu(0.1).build()), "foreign CPU 10%");
    }

    @Test
    void foreignCpuOverTheLimitPausesAtOnceWhenNotRunning() {
        assertPaused(decide(defaults, state().cpu(0.63).build()), "other programs use 63% CPU (limit 25%)");
    }

    @Test
    void runningTrainingStopsOnlyAfterTwoConsecutiveSamplesOverTheLimit() {
        assertTrue(decide(defaults, state().cpu(0.05).build()).mayRun());
        assertRuns(decide(defaults, state().cpu(0.63).build()), "idle 6 min, foreign CPU 63% (over the 25% limit on 1 sample)");
        assertPaused(decide(defaults, state().cpu(0.70).build()), "other programs use 70% CPU (limit 25%)");
        // paused: one sample under the limit is enough to start again
        assertTrue(decide(defaults, state().cpu(0.10).build()).mayRun());
    }

    @Test
    void aSpikeBetweenQuietSamplesDoesNotStopTraining() {
        assertTrue(decide(defaults, state().cpu(0.05).build()).mayRun());
        assertTrue(decide(defaults, state().cpu(0.90).build()).mayRun());
        assertTrue(decide(defaults, state().cpu(0.05).build()).mayRun());
        assertTrue(decide(defaults, state().cpu(0.90).build()).mayRun(), "the streak started over");
    }

    @Test
    void reDecidingOnTheSameSampleDoesNotCountItTwice() {
        assertTrue(decide(defaults, state().cpu(0.05).build()).mayRun());
        MachineState spike = state().cpu(0.63).build();
        assertTrue(decide(defaults, spike).mayRun());
        assertTrue(decide(defaults, spike).mayRun(), "a policy change re-decides on the same sample");
    }

    @Test
    void aLoweredCpuLimitCountsTheSamplesAlreadySeen() {
        assertTrue(decide(defaults, state().cpu(0.10).build()).mayRun());
        MachineState last = state().cpu(0.12).build();
        assertTrue(decide(defaults, last).mayRun());
        Fixtures.Settings strict = settings();
        strict.maxForeignCpuPercent = 5;
        assertPaused(decide(strict.build(), last), "other programs use 12% CPU (limit 5%)");
    }

    @Test
    void unknownForeignCpuIsIgnored() {
        assertRuns(decide(defaults, state().cpu(-1).notes("foreign CPU: measuring").build()), "idle 6 min, foreign CPU unknown");
    }

    @Test
    void anotherProcessOnTheGpuPausesUnlessAllowed() {
        MachineState state = state().gpu("python, pid 4242").build();
        assertPaused(decide(defaults, state), "GPU used by another process (python, pid 4242)");
        Fixtures.Settings allow = settings();
        allow.allowWhileGpuInUse = true;
        assertTrue(decide(allow.build(), state().gpu("python, pid 4242").build()).mayRun());
    }

    @Test
    void batteryPausesUnlessAllowedAndThenOnlyBelowTheMinimum() {
        assertPaused(decide(defaults, state().battery(38).build()), "on battery 38%");
        assertPaused(decide(defaults, state().battery(-1).build()), "on battery");
        Fixtures.Settings allow = settings();
        allow.runOnBattery = true;
        assertPaused(decide(allow.build(), state().battery(38).build()), "battery 38% (below 50%)");
        assertRuns(decide(allow.build(), state().battery(80).build()), "idle 6 min, foreign CPU 3%, on battery 80%");
    }

    @Test
    void onMainsTheBatteryRulesDoNotApply() {
        MachineState charging = new MachineState(600_000, 0.03, false, "", false, 20, Double.NaN, "", 42);
        assertTrue(decide(defaults, charging).mayRun());
    }

    @Test
    void allowedHoursWrapAroundMidnight() {
        IdleSettings night = settings().hours("22-7").build();
        clock.setTime("23:30");
        assertTrue(decide(night, state().build()).mayRun());
        clock.setTime("03:00");
        assertTrue(decide(night, state().build()).mayRun());
        clock.setTime("07:00");
        assertPaused(decide(night, state().build()), "outside allowed hours 22-7");
        clock.setTime("12:00");
        assertPaused(decide(night, state().build()), "outside allowed hours 22-7");
        clock.setTime("22:00");
        assertTrue(decide(night, state().build()).mayRun());
    }

    @Test
    void allowedHoursInTheDayAndAsAList() {
        IdleSettings office = settings().hours("9-17").build();
        clock.setTime("09:00");
        assertTrue(decide(office, state().build()).mayRun());
        clock.setTime("16:59");
        assertTrue(decide(office, state().build()).mayRun());
        clock.setTime("17:00");
        assertPaused(decide(office, state().build()), "outside allowed hours 9-17");

        IdleSettings split = settings().hours(" 9-12, 14-17 ").build();
        clock.setTime("13:00");
        assertPaused(decide(split, state().build()), "outside allowed hours 9-12, 14-17");
        clock.setTime("15:00");
        assertTrue(decide(split, state().build()).mayRun());
    }

    @Test
    void unreadableAllowedHoursPauseAndSayWhy() {
        IdleDecision decision = decide(settings().hours("9 to 5").build(), state().build());
        assertFalse(decision.mayRun());
        assertTrue(decision.reason().startsWith("allowed hours \"9 to 5\" not understood"), decision.reason());
    }

    @Test
    void aHotCpuPausesAndAnUnknownTemperatureIsIgnored() {
        assertPaused(decide(defaults, state().temperature(91.2).build()), "CPU at 91 °C (limit 85 °C)");
        assertTrue(decide(defaults, state().temperature(85).build()).mayRun());
        assertTrue(decide(defaults, state().temperature(Double.NaN).build()).mayRun());
        Fixtures.Settings noLimit = settings();
        noLimit.maxCpuTemperature = 0;
        assertTrue(decide(noLimit.build(), state().temperature(99).build()).mayRun());
    }

    @Test
    void theFirstFailingRuleGivesTheReason() {
        MachineState everything = state().idle(5000).cpu(0.9).gpu("python, pid 1").battery(10).temperature(95).build();
        assertPaused(decide(defaults, everything), "user active 5 s ago");
        MachineState noUser = state().cpu(0.9).gpu("python, pid 1").battery(10).temperature(95).build();
        assertPaused(decide(defaults, noUser), "other programs use 90% CPU (limit 25%)");
        MachineState gpuOnward = state().gpu("python, pid 1").battery(10).temperature(95).build();
        assertPaused(decide(defaults, gpuOnward), "GPU used by another process (python, pid 1)");
        assertPaused(decide(defaults, state().battery(10).temperature(95).build()), "on battery 10%");
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("0 s", IdlePolicy.duration(999));
        assertEquals("59 s", IdlePolicy.duration(59_999));
        assertEquals("1 min", IdlePolicy.duration(60_000));
        assertEquals("59 min", IdlePolicy.duration(3_599_000));
        assertEquals("1 h", IdlePolicy.duration(3_600_000));
        assertEquals("3 h 5 min", IdlePolicy.duration(3 * 3_600_000 + 5 * 60_000));
    }
}
