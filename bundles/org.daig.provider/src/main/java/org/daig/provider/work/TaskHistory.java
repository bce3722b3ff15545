package org.daig.provider.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

import org.daig.api.task.Task;
import org.daig.api.volunteer.VolunteerStatus.FinishedTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of this provider's tasks. The credit total and the count of accepted tasks survive
 * restarts (volunteers like to see their total grow); the last outcomes are kept for the tray.
 */
final class TaskHistory {

    private static final Logger LOG = LoggerFactory.getLogger(TaskHistory.class);
    static final int RECENT_TASKS = 20;

    private final Path file;
    private final Clock clock;
    private final Deque<FinishedTask> recent = new ConcurrentLinkedDeque<>();
    private volatile long tasksDone;
    private volatile double credit;

    /** Reads the totals from {@code file}; an unreadable file counts from zero rather than stopping the provider. */
    TaskHistory(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        try {
            if (Files.exists(file)) {
                String[] parts = Files.readString(file).trim().split("\\s+");
                credit = Double.parseDouble(parts[0]);
                tasksDone = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            }
        } catch (IOException | RuntimeException e) {
            credit = 0;
            tasksDone = 0;
            LOG.warn("Could not read the credits total in {} ({}); counting from zero", file, e.getMessage());
        }
    }

    long tasksDone() {
        return tasksDone;
    }

    double credit() {
        return credit;
    }

    /** Newest first. */
    List<FinishedTask> recent() {
        return List.copyOf(recent);
    }

    /** The coordinator accepted the task's result: it counts, and the new total is saved at once. */
    void accepted(Task task, Instant startedAt, double earned) {
        synchronized (this) {
            tasksDone++;
            credit += earned;
            save();
        }
        finished(task, startedAt, "accepted", earned);
    }

    /** Any other end of a task (duplicate, stale, refused, given back): shown, not counted. */
    void finished(Task task, Instant startedAt, String outcome, double earned) {
        Instant now = clock.instant();
        recent.addFirst(new FinishedTask(task.projectId(), task.round(), task.shard(), now,
                Duration.between(startedAt, now).toMillis() / 1000.0, outcome, earned));
        while (recent.size() > RECENT_TASKS) {
            recent.pollLast();
        }
    }

    /** Written beside and moved over, so a crash mid-write never leaves a half total. */
    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, credit + " " + tasksDone + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Could not save the credits total to {}: {}", file, e.getMessage());
        }
    }
}
