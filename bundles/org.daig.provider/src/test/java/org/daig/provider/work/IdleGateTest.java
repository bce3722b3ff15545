package org.daig.provider.work;

import static org.daig.provider.work.Fakes.BUSY;
import static org.daig.provider.work.Fakes.IDLE;
import static org.daig.provider.work.Fakes.NOON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.api.trainer.WorkerLimits;
import org.daig.provider.work.Fakes.FakeLauncher;
import org.daig.provider.work.Fakes.FakeWorker;
import org.daig.provider.work.Fakes.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdleGateTest {

    @TempDir
    Path dir;

    private final FakeLauncher launcher = new FakeLauncher();
    private final AtomicInteger wakeUps = new AtomicInteger();
    private ParticipationState state;
    private WarmWorker warm;
    private IdleGate gate;

    @BeforeEach
    void setUp() throws Exception {
        state = new ParticipationState(dir.resolve("participating"), true, new MutableClock(NOON));
        warm = new WarmWorker(launcher, () -> new WorkerLimits("2g", 3, true));
        gate = new IdleGate(state, warm, wakeUps::incrementAndGet);
        gate.decisionChanged(IDLE);
    }

    @Test
    void aBusyMachineSuspendsTheTrainingWorkerAndAnIdleOneResumesIt() throws Exception {
        FakeWorker worker = (FakeWorker) warm.get();
        gate.taskStarted();

        gate.decisionChanged(BUSY);
        assertTrue(gate.isSuspended());
        gate.decisionChanged(BUSY); // the monitor may repeat itself: one SIGSTOP is enough
        gate.decisionChanged(IDLE);
        assertFalse(gate.isSuspended());
        assertEquals(List.of("suspend", "resume"), worker.events);
    }

    @Test
    void aSnoozeSuspendsTheWorkerAndItsEndResumesIt() throws Exception {
        FakeWorker worker = (FakeWorker) warm.get();
        gate.taskStarted();

        state.snoozeUntil(NOON.plusSeconds(3600));
        gate.follow();
        assertTrue(gate.isSuspended(), "snoozed although the machine is idle");
        state.snoozeUntil(null);
        gate.follow();
        assertEquals(List.of("suspend", "resume"), worker.events);
    }

    @Test
    void withoutATaskInHandTheWarmWorkerIsLeftAlone() throws Exception {
        FakeWorker worker = (FakeWorker) warm.get();
        gate.decisionChanged(BUSY);
        assertFalse(gate.isSuspended());
        assertEquals(List.of(), worker.events);

        gate.taskStarted();
        gate.taskEnded();
        gate.decisionChanged(IDLE);
        gate.decisionChanged(BUSY);
        assertEquals(List.of(), worker.events, "the task ended: nothing to suspend");
    }

    @Test
    void everyDecisionWakesTheWorkLoopEvenWithoutAWorker() {
        int before = wakeUps.get();
        gate.taskStarted();
        gate.decisionChanged(BUSY);
        gate.decisionChanged(IDLE);
        assertEquals(before + 2, wakeUps.get(), "the loop waits for the machine to become idle before training");
        assertEquals(List.of(), launcher.started, "a policy change never starts a worker");
    }

    @Test
    void aTaskThatEndsWhileSuspendedLeavesTheGateOpenForTheNext() throws Exception {
        warm.get();
        gate.taskStarted();
        gate.decisionChanged(BUSY);
        assertTrue(gate.isSuspended());
        warm.kill();
        gate.taskEnded();
        assertFalse(gate.isSuspended(), "a killed worker is not suspended");

        FakeWorker next = (FakeWorker) warm.get();
        gate.taskStarted();
        gate.decisionChanged(IDLE);
        gate.decisionChanged(BUSY);
        assertEquals(List.of("suspend"), next.events, "the next task's worker is suspended afresh");
    }
}
