package org.daig.api.presence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The coordinator's view of the providers it has heard of. */
@ProviderType
public interface ProviderDirectory {

    /** All known providers, online first, then by id. */
    List<ProviderInfo> providers();

    /** Whether this provider is online now: asked for every lease, so implementations answer it without a scan. */
    default boolean isOnline(String providerId) {
        return providers().stream().anyMatch(p -> p.id().equals(providerId) && p.online());
    }

    /** Other coordinators seen online on the same topic root (normally none). */
    List<String> otherCoordinators();
}
