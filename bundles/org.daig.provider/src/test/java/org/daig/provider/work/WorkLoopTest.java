package org.daig.provider.work;

import static org.daig.provider.work.Fakes.BUSY;
import static org.daig.provider.work.Fakes.IDLE;
import static org.daig.provider.work.Fakes.NOON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.api.trainer.WorkerLimits;
import org.daig.provider.work.Fakes.FakeLauncher;
import org.daig.provider.work.Fakes.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The work loop around a task request that the coordinator held (a long poll) while the user came back. */
class WorkLoopTest {

    @TempDir
    Path dir;

    private WorkLoop loop;

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
        }
    }

    @Test
    void aTaskThatArrivesAfterTheUserCameBackIsGivenBackAtOnceAndNotStarted() throws Exception {
        MutableClock clock = new MutableClock(NOON);
        ParticipationState state = new ParticipationState(dir.resolve("participating"), true, clock);
        WarmWorker warm = new WarmWorker(new FakeLauncher(), () -> new WorkerLimits("2g", 3, true));
        IdleGate gate = new IdleGate(state, warm, () -> {
        });
        gate.decisionChanged(IDLE);
        Task task = Fakes.task("p", 0, Long.MAX_VALUE);
        HeldExchange exchange = new HeldExchange(task, () -> gate.decisionChanged(BUSY));
        // no trainer: a task that were started would fail on it, and nothing would be given back for being busy
        loop = new WorkLoop(exchange, state, gate, warm, null, new TaskHistory(dir.resolve("history.json"), clock), clock);
        loop.start();
        String reason = exchange.released.poll(30, TimeUnit.SECONDS);
        assertEquals("the machine became busy while it waited for a task", reason);
        assertTrue(exchange.released.isEmpty(), "given back once");
    }

    /** Answers the first request with a task once the user is back, as a coordinator that held it would; later ones never. */
    private static final class HeldExchange implements TaskExchange {
        final BlockingQueue<String> released = new LinkedBlockingQueue<>();
        final CountDownLatch asked = new CountDownLatch(1);
        private final Task task;
        private final Runnable userComesBack;

        HeldExchange(Task task, Runnable userComesBack) {
            this.task = task;
            this.userComesBack = userComesBack;
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public String brokerUrl() {
            return "tcp://127.0.0.1:1";
        }

        @Override
        public TaskReply askForTask() throws InterruptedException {
            if (asked.getCount() == 0) {
                new CountDownLatch(1).await(); // held for ever: the test ends first
            }
            asked.countDown();
            userComesBack.run();
            return new TaskReply("r1", TaskReply.Kind.TASK, task, null, 0, 0);
        }

        @Override
        public TaskReply sendResult(TaskResult result) {
            throw new AssertionError("no result: the task was never started");
        }

        @Override
        public void release(Task given, String reason) {
            assertEquals(task, given);
            released.add(reason);
        }
    }
}
