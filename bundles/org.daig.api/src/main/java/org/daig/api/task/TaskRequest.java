package org.daig.api.task;

/**
 * A provider asks for work.
 *
 * @param requestId chosen by the provider; the reply carries it back
 * @param maxParams the largest model (parameter count) it will take, 0 = any
 * @param waitMs    how long the coordinator may hold the request when it has no task, answering
 *                  as soon as one appears (a long poll; at most {@link #MOST_WAIT_MS}); null or 0:
 *                  answer at once, as before 1.4
 */
public record TaskRequest(String requestId, long maxParams, Long waitMs) {

    /** The longest a coordinator holds a request; a provider waits this long plus its reply timeout. */
    public static final long MOST_WAIT_MS = 30_000;

    /** A request answered at once, task or not. */
    public TaskRequest(String requestId, long maxParams) {
        this(requestId, maxParams, null);
    }

    /** How long the coordinator may hold this request: {@code waitMs} within 0..{@link #MOST_WAIT_MS}. */
    public long heldAtMostMs() {
        return waitMs == null ? 0 : Math.max(0, Math.min(MOST_WAIT_MS, waitMs));
    }
}
