package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.junit.jupiter.api.Test;

/** The coordinator's trainer worker: started on first use, kept warm, replaced when it dies, one caller at a time. */
class TrainerSessionTest {

    private static final WorkerLimits SMALL = new WorkerLimits("1g", 1, false);
    private static final WorkerLimits LARGE = new WorkerLimits("3g", 4, false);

    private final Launcher launcher = new Launcher();

    @Test
    void theWorkerStartsOnFirstUseAndIsKeptWarm() throws Exception {
        try (TrainerSession session = new TrainerSession(launcher, SMALL)) {
            assertTrue(launcher.started.isEmpty(), "no worker before it is needed");
            Worker first = session.use(t -> t.worker());
            assertEquals("CpuBackend", session.use(t -> t.hello().backend()));
            assertSame(first, session.use(t -> t.worker()));
            assertEquals(List.of(SMALL), launcher.limits);
        }
    }

    @Test
    void aDeadWorkerIsReplacedWithTheLatestLimits() throws Exception {
        try (TrainerSession session = new TrainerSession(launcher, SMALL)) {
            FakeWorker first = (FakeWorker) session.use(t -> t.worker());
            session.limits(LARGE);
            assertSame(first, session.use(t -> t.worker()), "new limits do not restart a running worker");
            first.alive = false;
            Worker second = session.use(t -> t.worker());
            assertNotSame(first, second);
            assertEquals(List.of(SMALL, LARGE), launcher.limits);
        }
    }

    @Test
    void aWorkerThatDiesDuringWorkIsNotUsedAgainButARefusalKeepsIt() throws Exception {
        try (TrainerSession session = new TrainerSession(launcher, SMALL)) {
            FakeWorker first = (FakeWorker) session.use(t -> t.worker());
            WorkerException refused = assertThrows(WorkerException.class, () -> session.use(t -> {
                throw new WorkerException("x.npy is not a float32 array");
            }));
            assertEquals("x.npy is not a float32 array", refused.getMessage());
            assertSame(first, session.use(t -> t.worker()), "a refusal is an answer; the worker stays");

            assertThrows(WorkerDiedException.class, () -> session.use(t -> {
                throw new WorkerDiedException("the worker ran out of memory");
            }));
            assertTrue(first.alive, "the process may still look alive");
            assertNotSame(first, session.use(t -> t.worker()), "it is replaced all the same");
            assertEquals(2, launcher.started.size());
        }
    }

    @Test
    void aWorkerThatCannotStartIsAWorkerExceptionAndTheNextUseTriesAgain() throws Exception {
        try (TrainerSession session = new TrainerSession(launcher, SMALL)) {
            launcher.failure = "no Java found in /opt/daig/jre";
            WorkerException e = assertThrows(WorkerException.class, () -> session.use(t -> t.worker()));
            assertEquals("cannot start the trainer worker: no Java found in /opt/daig/jre", e.getMessage());
            launcher.failure = null;
            assertEquals("CpuBackend", session.use(t -> t.hello().backend()));
        }
    }

    @Test
    void closingStopsTheWorkerAndALaterUseStartsAnother() throws Exception {
        TrainerSession session = new TrainerSession(launcher, SMALL);
        FakeWorker first = (FakeWorker) session.use(t -> t.worker());
        session.close();
        assertTrue(first.closed);
        FakeWorker second = (FakeWorker) session.use(t -> t.worker());
        assertNotSame(first, second);
        session.close();
        assertTrue(second.closed);
    }

    @Test
    void aSecondCallerWaitsUntilTheFirstHasFinished() throws Exception {
        try (TrainerSession session = new TrainerSession(launcher, SMALL)) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch firstIn = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread first = caller(failure, () -> session.use(t -> {
                order.add("first in");
                firstIn.countDown();
                await(releaseFirst);
                order.add("first out");
                return null;
            }));
            Thread second = caller(failure, () -> session.use(t -> {
                order.add("second in");
                return null;
            }));
            first.start();
            assertTrue(firstIn.await(10, TimeUnit.SECONDS));
            second.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (second.getState() != Thread.State.BLOCKED && !order.contains("second in") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(List.of("first in"), List.copyOf(order), "the second caller got the worker while the first had it");
            assertEquals(Thread.State.BLOCKED, second.getState(), "the second caller is waiting for the worker");
            releaseFirst.countDown();
            first.join(10_000);
            second.join(10_000);
            assertFalse(first.isAlive() || second.isAlive());
            assertEquals(null, failure.get());
            assertEquals(List.of("first in", "first out", "second in"), order);
            assertEquals(1, launcher.started.size(), "both used the one worker");
        }
    }

    @Test
    void theServiceStartsTheWorkerAheadOfTheFirstCallerAndAppliesNewLimitsToTheNextWorker() throws Exception {
        CountDownLatch prewarmed = new CountDownLatch(1);
        launcher.onHello = prewarmed::countDown;
        TrainerWorker service = new TrainerWorker(launcher, config("1g", 1));
        try {
            assertTrue(prewarmed.await(10, TimeUnit.SECONDS), "the worker was not started ahead of use");
            FakeWorker warm = (FakeWorker) service.use(t -> t.worker());
            assertEquals(List.of(SMALL), launcher.limits, "the first caller found the worker warm");
            service.modified(config("3g", 4));
            assertSame(warm, service.use(t -> t.worker()));
            warm.alive = false;
            service.use(t -> t.worker());
            assertEquals(List.of(SMALL, LARGE), launcher.limits);
        } finally {
            service.deactivate();
        }
        assertTrue(launcher.started.get(1).closed, "deactivating stops the worker");
    }

    private static Thread caller(AtomicReference<Throwable> failure, CheckedRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception | AssertionError e) {
                failure.compareAndSet(null, e);
            }
        });
        t.setDaemon(true);
        return t;
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static ProjectServiceConfig config(String heap, int threads) {
        return (ProjectServiceConfig) Proxy.newProxyInstance(ProjectServiceConfig.class.getClassLoader(),
                new Class<?>[] { ProjectServiceConfig.class }, (proxy, method, args) -> switch (method.getName()) {
                case "workerHeap" -> heap;
                case "workerThreads" -> threads;
                default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private interface CheckedRunnable {
        void run() throws Exception;
    }

    /** Starts fake workers, or fails as told; records the limits of each start. */
    private static final class Launcher implements WorkerLauncher {
        final List<FakeWorker> started = Collections.synchronizedList(new ArrayList<>());
        final List<WorkerLimits> limits = Collections.synchronizedList(new ArrayList<>());
        volatile String failure;
        volatile Runnable onHello = () -> {
        };

        @Override
        public Worker start(WorkerLimits workerLimits) throws IOException {
            if (failure != null) {
                throw new IOException(failure);
            }
            FakeWorker w = new FakeWorker(this);
            started.add(w);
            limits.add(workerLimits);
            return w;
        }
    }

    /** A worker that answers hello. */
    private static final class FakeWorker implements Worker {
        private final Launcher launcher;
        volatile boolean alive = true;
        volatile boolean closed;

        FakeWorker(Launcher launcher) {
            this.launcher = launcher;
        }

        @Override
        public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException {
            if (!op.equals("hello")) {
                throw new WorkerException("unknown operation " + op);
            }
            launcher.onHello.run();
            return new WorkerAnswer(Map.of("backend", "CpuBackend", "pid", 7.0), new float[0]);
        }

        @Override
        public long pid() {
            return 7;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public void suspend() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void kill() {
            alive = false;
        }

        @Override
        public void close() {
            closed = true;
            alive = false;
        }
    }
}
