package org.daig.api.task;

/**
 * The coordinator's answer to a {@link TaskRequest}, {@link TaskResult} or {@link TaskRelease}.
 *
 * @param requestId    the request answered
 * @param kind         what the answer is (see {@link Kind})
 * @param task         the task, for {@link Kind#TASK}
 * @param message      a sentence for logs and people (why refused, what to do)
 * @param retryAfterMs for {@link Kind#NO_TASK}: when asking again makes sense
 * @param credit       for {@link Kind#ACCEPTED}: the credit earned
 */
public record TaskReply(String requestId, Kind kind, Task task, String message, long retryAfterMs, double credit) {

    public enum Kind {
        /** Here is a task. */
        TASK,
        /** Nothing to do now; ask again after {@code retryAfterMs}. */
        NO_TASK,
        /** The result is committed; credit was earned. */
        ACCEPTED,
        /** The same task's result was already committed; nothing changed (harmless). */
        DUPLICATE,
        /** The result was for an older model version (synchronous mode); discard it. */
        STALE,
        /** The result was refused; {@code message} says why (wrong length, NaN/Inf, outlier norm, ...). */
        REFUSED,
        /** No such project, task or lease. */
        UNKNOWN,
        /** The release was noted. */
        RELEASED
    }
}
