package org.daig.coordinator.service;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.BundleContext;

/** The coordinator's folder under the data folder ({@code daig.data.dir}, default daig-data). */
final class WorkDir {

    private WorkDir() {
    }

    static Path of(BundleContext context) {
        return Path.of(Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data")).resolve("coordinator");
    }
}
