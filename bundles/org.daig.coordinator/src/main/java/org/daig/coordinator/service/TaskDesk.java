package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.Optional;

import org.daig.api.task.Task;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;

/** The coordinator's side of the task exchange: what providers ask for and hand in. */
public interface TaskDesk {

    Optional<Task> lease(String providerId, long maxParams) throws SQLException;

    /** Why this provider gets no tasks at all (its device is banned), if it gets none. */
    Optional<String> noTasksFor(String providerId);

    /** Takes a result; the outcome says whether it counts, and why not. */
    default Scheduler.Outcome result(String providerId, TaskResult result) throws Exception {
        return result(providerId, result, check(providerId, result));
    }

    /**
     * Reads a result's delta and finds what is wrong with it, if anything: the slow part of taking
     * a result, safe to run on several threads at once and outside any lock.
     */
    Delta check(String providerId, TaskResult result);

    /** Takes a result whose delta {@link #check} read. */
    Scheduler.Outcome result(String providerId, TaskResult result, Delta delta) throws Exception;

    /**
     * Opens a group commit: what this thread decides until the group is committed is stored in
     * one database commit. Answer none of those decisions before that.
     */
    Database.Group decideTogether();

    /**
     * Writes part of what decisions left for later (the rows of leases that ended with their task's
     * result); returns whether more is waiting. The exchange calls it while it has nothing to decide.
     */
    boolean writeLeftovers() throws SQLException;

    /** Rebuilds the scheduler's state from the database, e.g. after a group commit failed. */
    void reload() throws SQLException;

    /** How soon a provider that got no task should ask again. */
    long retryAfterMillis();

    boolean release(String providerId, String leaseId, String reason) throws SQLException;

    /**
     * Says whom to tell when tasks may have appeared (a round started, a lease ended without a
     * result...): the exchange then offers them to the requests it holds. Called under the
     * scheduler's lock: the signal must not block.
     */
    void whenTasksMayAppear(Runnable signal);

    /** A provider went offline: its tasks are offered again. */
    void providerGone(String providerId);
}
