package org.daig.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered while this process is the coordinator that acts for the grid: always for a lone
 * coordinator, and for one of several on a shared database only while it holds the database's
 * leader lock. What must not run twice (the scheduler, the coordinator's MQTT connection) depends on
 * it, so a standby stays quiet until it takes over, and a coordinator that loses the lock stops.
 */
@ProviderType
public interface Leadership {

    /** How this process became the leader, for logs and status (e.g. "lone coordinator on H2"). */
    String how();
}
