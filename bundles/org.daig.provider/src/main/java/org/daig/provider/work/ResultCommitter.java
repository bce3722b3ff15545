package org.daig.provider.work;

import java.time.Instant;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.api.trainer.TrainerClient.TrainResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a trained task's result and records what the coordinator made of it. An unanswered
 * commit is sent again (the coordinator takes a duplicate as harmless), up to ten times.
 */
final class ResultCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(ResultCommitter.class);
    private static final int ATTEMPTS = 10;

    private final TaskExchange exchange;
    private final TaskHistory history;
    private final Consumer<String> problem;

    ResultCommitter(TaskExchange exchange, TaskHistory history, Consumer<String> problem) {
        this.exchange = exchange;
        this.history = history;
        this.problem = problem;
    }

    /** True if the result was accepted (and credited). */
    boolean commit(Task task, Instant startedAt, String delta, TrainResult answer, BooleanSupplier running) throws InterruptedException {
        for (int attempt = 1; attempt <= ATTEMPTS && running.getAsBoolean(); attempt++) {
            TaskResult result = new TaskResult(UUID.randomUUID().toString(), task.leaseId(), task.projectId(), task.round(), task.shard(),
                    task.version(), delta, answer.samples(), answer.loss(), answer.accuracy(),
                    answer.seconds(), answer.threads(), answer.runtime()); // what the coordinator needs to replay it bit for bit
            TaskReply reply = exchange.sendResult(result);
            if (reply == null) {
                continue; // no answer: commit again
            }
            switch (reply.kind()) {
            case ACCEPTED -> {
                history.accepted(task, startedAt, reply.credit());
                LOG.info("Result accepted: project {} round {} shard {} ({} samples, loss {}, {} s), credit {}", task.projectId(), task.round(),
                        task.shard(), answer.samples(), String.format("%.4f", answer.loss()),
                        String.format("%.1f", answer.seconds()), String.format("%.6f", reply.credit()));
                return true;
            }
            case DUPLICATE -> {
                LOG.info("Result for project {} shard {} was already accepted", task.projectId(), task.shard());
                history.finished(task, startedAt, "duplicate", 0);
            }
            case STALE -> {
                LOG.info("Result for project {} round {} came too late: {}", task.projectId(), task.round(), reply.message());
                history.finished(task, startedAt, "stale: " + reply.message(), 0);
            }
            default -> {
                problem.accept("result for project " + task.projectId() + " refused: " + reply.message());
                history.finished(task, startedAt, "refused: " + reply.message(), 0);
            }
            }
            return false;
        }
        problem.accept("the coordinator did not confirm the result of project " + task.projectId() + " round " + task.round());
        return false;
    }
}
