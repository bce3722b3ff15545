package org.daig.api.task;

/**
 * A provider gives a task back (its user came back, it is shutting down), so it can be offered
 * again at once instead of at the deadline.
 *
 * @param requestId chosen by the provider
 * @param leaseId   the lease given back
 * @param reason    why, for the log
 */
public record TaskRelease(String requestId, String leaseId, String reason) {
}
