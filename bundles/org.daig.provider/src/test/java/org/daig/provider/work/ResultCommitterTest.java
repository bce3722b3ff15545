package org.daig.provider.work;

import static org.daig.provider.work.Fakes.NOON;
import static org.daig.provider.work.Fakes.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.api.trainer.TrainerClient;
import org.daig.provider.work.Fakes.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultCommitterTest {

    /** Answers results from a script; null, or the script's end, means "no answer". */
    private static final class ScriptedExchange implements TaskExchange {
        final List<TaskReply.Kind> script = new ArrayList<>();
        final List<TaskResult> sent = new ArrayList<>();

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public String brokerUrl() {
            return "tcp://broker";
        }

        @Override
        public TaskReply askForTask() {
            throw new UnsupportedOperationException();
        }

        @Override
        public TaskReply sendResult(TaskResult result) {
            sent.add(result);
            TaskReply.Kind kind = sent.size() <= script.size() ? script.get(sent.size() - 1) : null;
            return kind == null ? null
                    : new TaskReply(result.requestId(), kind, null, "round 3 is closed", 0, kind == TaskReply.Kind.ACCEPTED ? 0.5 : 0);
        }

        @Override
        public void release(Task task, String reason) {
            throw new UnsupportedOperationException();
        }
    }

    @TempDir
    Path dir;

    private final ScriptedExchange exchange = new ScriptedExchange();
    private final List<String> problems = new ArrayList<>();
    private final TrainerClient.TrainResult answer = new TrainerClient.TrainResult(100, 4, 0.25, 0.9, 3.5, new float[2]);

    private TaskHistory history() {
        return new TaskHistory(dir.resolve("credits"), new MutableClock(NOON));
    }

    @Test
    void anUnansweredCommitIsSentAgainUntilTheCoordinatorAcceptsIt() throws Exception {
        TaskHistory history = history();
        exchange.script.addAll(Arrays.asList(null, null, TaskReply.Kind.ACCEPTED));
        assertTrue(new ResultCommitter(exchange, history, problems::add).commit(task("p", 1, 0), NOON, "delta-blob", answer, () -> true));
        assertEquals(1, history.tasksDone());
        assertEquals(0.5, history.credit(), 1e-12);
        assertEquals(List.of(), problems);
        assertEquals(3, exchange.sent.size(), "committed until answered");
        TaskResult result = exchange.sent.get(2);
        assertEquals("lease-p-1", result.leaseId());
        assertEquals("delta-blob", result.delta());
        assertEquals(100, result.samples());
        assertEquals(7, result.version());
    }

    @Test
    void aStaleResultIsShownButEarnsNothingAndIsNoProblem() throws Exception {
        TaskHistory history = history();
        exchange.script.add(TaskReply.Kind.STALE);
        assertFalse(new ResultCommitter(exchange, history, problems::add).commit(task("p", 1, 0), NOON, "d", answer, () -> true));
        assertEquals(0, history.tasksDone());
        assertEquals("stale: round 3 is closed", history.recent().get(0).outcome());
        assertEquals(List.of(), problems);
    }

    @Test
    void aRefusedResultIsAProblemTheVolunteerSees() throws Exception {
        TaskHistory history = history();
        exchange.script.add(TaskReply.Kind.REFUSED);
        new ResultCommitter(exchange, history, problems::add).commit(task("p", 1, 0), NOON, "d", answer, () -> true);
        assertEquals(List.of("result for project p refused: round 3 is closed"), problems);
        assertEquals("refused: round 3 is closed", history.recent().get(0).outcome());
    }

    @Test
    void aCoordinatorThatNeverAnswersGetsTenCommitsThenAProblem() throws Exception {
        TaskHistory history = history();
        assertFalse(new ResultCommitter(exchange, history, problems::add).commit(task("p", 1, 0), NOON, "d", answer, () -> true));
        assertEquals(10, exchange.sent.size());
        assertEquals(10, exchange.sent.stream().map(TaskResult::requestId).distinct().count(), "each commit is its own request");
        assertEquals(List.of("the coordinator did not confirm the result of project p round 3"), problems);
        assertEquals(0, history.tasksDone());
    }

    @Test
    void aStoppingProviderCommitsNoMore() throws Exception {
        new ResultCommitter(exchange, history(), problems::add).commit(task("p", 1, 0), NOON, "d", answer, () -> false);
        assertEquals(List.of(), exchange.sent);
    }
}
