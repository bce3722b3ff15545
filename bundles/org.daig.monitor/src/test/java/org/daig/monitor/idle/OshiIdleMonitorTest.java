package org.daig.monitor.idle;

import static org.daig.monitor.idle.Fixtures.settings;
import static org.daig.monitor.idle.Fixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.IdleListener;
import org.daig.api.machine.MachineState;
import org.daig.monitor.idle.Fixtures.MutableClock;
import org.daig.monitor.idle.IdleSettings.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The component with fake readings; samples are driven by calling {@code sample()}. */
class OshiIdleMonitorTest {

    /** Returns whatever the test put in {@link #next}, and counts the reads. */
    private static final class FakeReadings implements MachineReadings {
        volatile MachineState next = state().build();
        volatile RuntimeException failure;
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean closed;

        @Override
        public MachineState read() {
            reads.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return next;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class Recorder implements IdleListener {
        final List<IdleDecision> heard = new ArrayList<>();

        @Override
        public void decisionChanged(IdleDecision decision) {
            heard.add(decision);
        }

        IdleDecision last() {
            return heard.get(heard.size() - 1);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final FakeReadings readings = new FakeReadings();
    private final OshiIdleMonitor monitor = new OshiIdleMonitor(clock, () -> readings);

    @AfterEach
    void stop() {
        monitor.deactivate();
    }

    private OshiIdleMonitor opened(IdleSettings settings) {
        monitor.open();
        monitor.apply(settings);
        return monitor;
    }

    @Test
    void untilTheFirstSampleTrainingWaits() {
        opened(IdleSettings.DEFAULTS);
        assertFalse(monitor.current().mayRun());
        assertEquals("waiting for the first sample", monitor.current().reason());
    }

    @Test
    void aNewListenerHearsTheCurrentDecisionAtOnce() {
        opened(IdleSettings.DEFAULTS).sample();
        Recorder recorder = new Recorder();
        monitor.addListener(recorder);
        assertEquals(1, recorder.heard.size());
        assertEquals(monitor.current(), recorder.last());
        assertTrue(recorder.last().mayRun());
    }

    @Test
    void listenersHearFlipsOnly() {
        opened(IdleSettings.DEFAULTS);
        Recorder recorder = new Recorder();
        monitor.addListener(recorder);
        readings.next = state().idle(400_000).build();
        monitor.sample();
        readings.next = state().idle(401_000).build();
        monitor.sample();
        assertEquals(2, recorder.heard.size(), "waiting, then may run; the second idle sample changes nothing");
        assertTrue(recorder.last().mayRun());

        readings.next = state().idle(2_000).build();
        monitor.sample();
        readings.next = state().idle(3_000).build();
        monitor.sample();
        assertEquals(3, recorder.heard.size());
        assertFalse(recorder.last().mayRun());
        assertEquals("user active 2 s ago", recorder.last().reason());
        assertEquals("user active 3 s ago", monitor.current().reason(), "current() follows every sample");
    }

    @Test
    void aPolicyChangeIsDecidedAtOnceOnTheLastSample() {
        opened(IdleSettings.DEFAULTS).sample();
        Recorder recorder = new Recorder();
        monitor.addListener(recorder);
        assertTrue(recorder.last().mayRun());
        int readsBefore = readings.reads.get();

        long started = System.nanoTime();
        monitor.apply(settings().mode(Mode.NEVER).build());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(2, recorder.heard.size(), "told before apply returned");
        assertFalse(recorder.last().mayRun());
        assertEquals("paused by the user (policy: never)", recorder.last().reason());
        assertEquals(readsBefore, readings.reads.get(), "no new sample was needed");
        assertTrue(tookMillis < 1000, "took " + tookMillis + " ms");

        monitor.apply(IdleSettings.DEFAULTS);
        assertTrue(recorder.last().mayRun());
        assertEquals(3, recorder.heard.size());
    }

    @Test
    void alwaysAndNeverNeedNoSample() {
        opened(settings().mode(Mode.ALWAYS).build());
        assertTrue(monitor.current().mayRun());
        assertEquals("policy: always", monitor.current().reason());
    }

    @Test
    void modifiedFromTheConfigurationAppliesTheNewPolicy() {
        opened(IdleSettings.DEFAULTS).sample();
        monitor.modified(Fixtures.config(Map.of("mode", "never")));
        assertFalse(monitor.current().mayRun());
    }

    @Test
    void failingReadingsDegradeToAnUnknownStateWithANote() {
        opened(IdleSettings.DEFAULTS);
        readings.failure = new IllegalStateException("no /proc");
        monitor.sample();
        assertTrue(monitor.current().state().notes().contains("no /proc"), monitor.current().state().notes());
        assertEquals(-1, monitor.current().state().userIdleMillis());
    }

    @Test
    void aFailingListenerDoesNotSilenceTheOthers() {
        opened(IdleSettings.DEFAULTS);
        monitor.addListener(decision -> {
            throw new IllegalStateException("listener bug");
        });
        Recorder recorder = new Recorder();
        monitor.addListener(recorder);
        monitor.sample();
        assertTrue(recorder.last().mayRun());
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        opened(IdleSettings.DEFAULTS);
        Recorder recorder = new Recorder();
        monitor.addListener(recorder);
        monitor.removeListener(recorder);
        monitor.sample();
        assertEquals(1, recorder.heard.size());
    }

    @Test
    void workerCapsFollowThePolicy() {
        Fixtures.Settings settings = settings();
        settings.maxWorkerThreads = 1;
        settings.maxWorkerHeap = "512m";
        opened(settings.build());
        assertEquals(1, monitor.maxWorkerThreads());
        assertEquals("512m", monitor.maxWorkerHeap());
        monitor.apply(IdleSettings.DEFAULTS);
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), monitor.maxWorkerThreads());
    }

    /** The one test with the real sampler thread: it samples on its own and stops on deactivation. */
    @Test
    void theSamplerThreadDecidesOnItsOwnAndStopsOnDeactivation() throws InterruptedException {
        CountDownLatch mayRun = new CountDownLatch(1);
        monitor.activate(Fixtures.config(Map.of()));
        monitor.addListener(decision -> {
            if (decision.mayRun()) {
                mayRun.countDown();
            }
        });
        assertTrue(mayRun.await(10, TimeUnit.SECONDS), "no sample within 10 s: " + monitor.current());
        monitor.deactivate();
        assertTrue(readings.closed);
        int reads = readings.reads.get();
        monitor.sample(); // after deactivation: nothing to read from
        assertEquals(reads, readings.reads.get());
    }
}
