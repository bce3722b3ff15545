package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.Optional;

import org.daig.api.task.Task;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.Scheduler;

/** The coordinator's side of the task exchange: what providers ask for and hand in. */
public interface TaskDesk {

    Optional<Task> lease(String providerId, long maxParams) throws SQLException;

    /** Why this provider gets no tasks at all (its device is banned), if it gets none. */
    Optional<String> noTasksFor(String providerId);

    /** Takes a result; the outcome says whether it counts, and why not. */
    Scheduler.Outcome result(String providerId, TaskResult result) throws Exception;

    /** How soon a provider that got no task should ask again. */
    long retryAfterMillis();

    boolean release(String providerId, String leaseId, String reason) throws SQLException;

    /** A provider went offline: its tasks are offered again. */
    void providerGone(String providerId);
}
