package org.daig.api.presence;

import org.daig.api.machine.MachineSummary;

/**
 * A provider's retained announcement, published each time it connects.
 *
 * @param id      its client id
 * @param name    a display name chosen by the volunteer (the host name by default)
 * @param version the DAIG version it runs
 * @param machine what the machine offers
 */
public record ProviderAnnouncement(String id, String name, String version, MachineSummary machine) {
}
