package org.daig.api.trainer;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/** Starts worker JVMs with the product's trainer runtime. */
@ProviderType
public interface WorkerLauncher {

    /**
     * Starts a worker.
     *
     * @param limits heap, threads and priority for this worker
     * @throws IOException if the JVM cannot be started (no Java, trainer runtime missing: the
     *         message says which and where)
     */
    Worker start(WorkerLimits limits) throws IOException;
}
