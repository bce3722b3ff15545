package org.daig.api.task;

/**
 * A provider asks for work.
 *
 * @param requestId chosen by the provider; the reply carries it back
 * @param maxParams the largest model (parameter count) it will take, 0 = any
 */
public record TaskRequest(String requestId, long maxParams) {
}
