package org.daig.experts;

/**
 * Turns what the gate's search found (an expert's uid and its server's address from the DHT) into an
 * {@link Expert} to call. Connecting must not block or fail: a dead address shows as failing calls.
 */
@FunctionalInterface
public interface ExpertConnector {

    Expert connect(ExpertUid uid, String address);
}
