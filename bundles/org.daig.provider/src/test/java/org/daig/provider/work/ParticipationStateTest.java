package org.daig.provider.work;

import static org.daig.provider.work.Fakes.BUSY;
import static org.daig.provider.work.Fakes.IDLE;
import static org.daig.provider.work.Fakes.NOON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.daig.provider.work.Fakes.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParticipationStateTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(NOON);

    @Test
    void aFreshInstallationFollowsTheDefaultAndThenRemembersTheVolunteersChoice() throws Exception {
        Path file = dir.resolve("provider/participating");
        assertTrue(new ParticipationState(file, true, clock).participating(), "no choice yet: the default");
        assertFalse(new ParticipationState(file, false, clock).participating(), "no choice yet: the default");

        new ParticipationState(file, true, clock).participate(false);
        assertFalse(new ParticipationState(file, true, clock).participating(), "'stop' survives a restart despite the default");

        new ParticipationState(file, false, clock).participate(true);
        assertTrue(new ParticipationState(file, false, clock).participating(), "'participate' survives a restart");
        assertEquals("true", Files.readString(file));
    }

    @Test
    void aSnoozeOverrulesAnIdleMachineUntilItsTimeHasPassed() throws Exception {
        ParticipationState state = new ParticipationState(dir.resolve("participating"), true, clock);
        state.policyChanged(IDLE);
        assertTrue(state.decision().mayRun());

        state.snoozeUntil(NOON.plus(Duration.ofMinutes(70)));
        assertFalse(state.decision().mayRun(), "no training while snoozed");
        assertEquals("snoozed until 13:10", state.decision().reason());
        assertEquals(IDLE, state.policy(), "the policy's own decision stays visible");

        state.policyChanged(BUSY);
        state.policyChanged(IDLE);
        assertEquals("snoozed until 13:10", state.decision().reason(), "a policy change does not end a snooze");

        clock.now = NOON.plus(Duration.ofMinutes(70));
        assertFalse(state.endSnoozeIfOver(), "not before its time");
        assertFalse(state.decision().mayRun());

        clock.now = NOON.plus(Duration.ofMinutes(70)).plusSeconds(1);
        assertTrue(state.endSnoozeIfOver());
        assertNull(state.snoozedUntil());
        assertEquals(IDLE, state.decision(), "after the snooze the policy rules again");
        assertFalse(state.endSnoozeIfOver(), "a snooze ends once");
    }

    @Test
    void endingASnoozeByHandLetsTheMachineWorkAtOnce() throws Exception {
        ParticipationState state = new ParticipationState(dir.resolve("participating"), true, clock);
        state.policyChanged(IDLE);
        state.snoozeUntil(NOON.plus(Duration.ofHours(1)));
        state.snoozeUntil(null);
        assertEquals(IDLE, state.decision());
    }

    @Test
    void aSnoozeWhileTheMachineIsBusyKeepsTheMachinesState() throws Exception {
        ParticipationState state = new ParticipationState(dir.resolve("participating"), true, clock);
        assertNull(state.decision(), "no decision before the monitor's first");
        state.snoozeUntil(NOON.plus(Duration.ofMinutes(5)));
        assertFalse(state.decision().mayRun(), "a snooze holds even before the monitor's first decision");
        assertEquals("snoozed until 12:05", state.decision().reason());
    }
}
