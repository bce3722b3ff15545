package org.daig.api.machine;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Samples the machine (at least once a second) and applies the volunteer's idle policy. CPU and
 * GPU use by this process and its child processes (the trainer workers) never counts as foreign.
 */
@ProviderType
public interface IdleMonitor {

    /** The decision on the latest sample. */
    IdleDecision current();

    /** Registers a listener; it is called at once with the current decision, then on every change. */
    void addListener(IdleListener listener);

    void removeListener(IdleListener listener);

    /** CPU threads a worker may use under the policy. */
    int maxWorkerThreads();

    /** Heap a worker may use under the policy, e.g. "2g". */
    String maxWorkerHeap();
}
