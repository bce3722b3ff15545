package org.daig.provider.work;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.BundleContext;

/** Where the provider keeps its state: {@code <daig.data.dir>/provider} (daig-data/ without the property). */
final class ProviderFolder {

    private ProviderFolder() {
    }

    static Path of(BundleContext context) {
        return Path.of(Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data")).resolve("provider");
    }
}
