package org.daig.api.presence;

import org.daig.api.machine.MachineSummary;

/**
 * What the coordinator knows about one provider.
 *
 * @param id       the provider's client id
 * @param name     its display name, or null until its announcement arrived
 * @param online   whether its connection is up, as the broker reports it
 * @param since    epoch milliseconds of the last online/offline change
 * @param lastSeen epoch milliseconds of the last message from or about it
 * @param machine  its last announced machine summary, or null if none arrived yet
 */
public record ProviderInfo(String id, String name, boolean online, long since, long lastSeen, MachineSummary machine) {
}
