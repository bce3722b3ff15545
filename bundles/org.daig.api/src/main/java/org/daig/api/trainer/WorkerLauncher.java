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

    /**
     * Starts a worker for input from strangers (a provider's tasks, a requestor's upload on the
     * coordinator): with the least privilege the OS gives cheaply — no network, and writes only to
     * the product's data folder where a sandbox is available (bubblewrap on Linux); otherwise as
     * {@link #start}. Only its own temporary folder in any case.
     */
    default Worker startConfined(WorkerLimits limits) throws IOException {
        return start(limits);
    }
}
