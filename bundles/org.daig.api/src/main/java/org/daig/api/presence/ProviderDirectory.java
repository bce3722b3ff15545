package org.daig.api.presence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The coordinator's view of the providers it has heard of. */
@ProviderType
public interface ProviderDirectory {

    /** All known providers, online first, then by id. */
    List<ProviderInfo> providers();

    /** Other coordinators seen online on the same topic root (normally none). */
    List<String> otherCoordinators();
}
