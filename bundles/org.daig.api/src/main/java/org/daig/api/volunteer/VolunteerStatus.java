package org.daig.api.volunteer;

import java.time.Instant;
import java.util.List;

import org.daig.api.machine.MachineState;

/**
 * A provider's state for its volunteer.
 *
 * @param state          the one-word summary the tray icon shows
 * @param summary        a line for people, e.g. "waiting: user active 12 s ago"
 * @param participating  whether the volunteer lets it work (remembered)
 * @param snoozedUntil   end of a snooze, or null
 * @param idleReason     the idle policy's reason for its latest decision
 * @param mayRun         whether the policy (and snooze) lets a task run now
 * @param connected      whether the provider reaches its coordinator's broker
 * @param broker         the broker's address
 * @param task           the task in hand, or null
 * @param tasksDone      tasks accepted by the coordinator since this provider was installed
 * @param credits        credits earned since this provider was installed (TFLOP of training)
 * @param lastProblem    the newest problem worth telling the user, or null
 * @param recent         the latest finished or given-back tasks, newest first
 * @param machine        the machine's latest readings (CPU, GPU, battery), or null
 * @param enrolled       whether this machine is enrolled on its grid (holds a device token); since 1.1
 * @param account        the account the machine belongs to, or null when not enrolled (or not known); since 1.1
 * @param enrolment      a line about the enrolment for the volunteer: whose device it is, or what to do to enrol it;
 *                       null when the provider does not say; since 1.1
 */
public record VolunteerStatus(State state, String summary, boolean participating, Instant snoozedUntil, String idleReason,
        boolean mayRun, boolean connected, String broker, CurrentTask task, long tasksDone, double credits, String lastProblem,
        List<FinishedTask> recent, MachineState machine, boolean enrolled, String account, String enrolment) {

    /** A status without enrolment (as before 1.1): not known to be enrolled, no account. */
    public VolunteerStatus(State state, String summary, boolean participating, Instant snoozedUntil, String idleReason,
            boolean mayRun, boolean connected, String broker, CurrentTask task, long tasksDone, double credits, String lastProblem,
            List<FinishedTask> recent, MachineState machine) {
        this(state, summary, participating, snoozedUntil, idleReason, mayRun, connected, broker, task, tasksDone, credits, lastProblem,
                recent, machine, false, null, null);
    }

    /** The tray icon's states. */
    public enum State {
        /** a task is being downloaded, trained or uploaded */
        TRAINING,
        /** participating, but the machine is not idle (or no task is available) */
        WAITING,
        /** the volunteer switched participation off */
        STOPPED,
        /** the volunteer snoozed it */
        SNOOZED,
        /** the coordinator's broker cannot be reached */
        DISCONNECTED,
        /** something needs the volunteer's attention (see lastProblem) */
        ERROR
    }

    /**
     * The task in hand.
     *
     * @param projectId the project
     * @param round     its round
     * @param shard     its shard
     * @param phase     downloading, training or uploading
     * @param startedAt when the provider got it
     * @param deadline  when the coordinator gives it to someone else
     * @param suspended whether its training is suspended (machine busy or snoozed)
     */
    public record CurrentTask(String projectId, int round, int shard, String phase, Instant startedAt, Instant deadline,
            boolean suspended) {
    }

    /**
     * A task that ended.
     *
     * @param projectId  the project
     * @param round      its round
     * @param shard      its shard
     * @param finishedAt when it ended
     * @param seconds    how long it took
     * @param outcome    accepted, duplicate, stale, refused or given back (with the reason)
     * @param credit     credit earned by it
     */
    public record FinishedTask(String projectId, int round, int shard, Instant finishedAt, double seconds, String outcome,
            double credit) {
    }
}
