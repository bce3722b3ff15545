package org.daig.api.presence;

/**
 * A coordinator's retained announcement: how to reach it beyond the bus.
 *
 * @param id        its client id
 * @param statusUrl the URL of its status endpoint, or null if it has no HTTP endpoint
 * @param startedAt epoch milliseconds when it started
 * @param version   the DAIG version it runs
 */
public record CoordinatorInfo(String id, String statusUrl, long startedAt, String version) {
}
