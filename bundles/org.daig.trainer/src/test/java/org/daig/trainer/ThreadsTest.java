package org.daig.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The runtime fingerprint a result carries (WorkerProcessTest checks the thread count a replay
 * gets, in a worker started with 2 threads).
 */
class ThreadsTest {

    @Test
    void theRuntimeNamesBackendCpuAndLibrary() {
        String runtime = Threads.runtime();
        assertTrue(runtime != null && runtime.startsWith("CpuBackend; ") && runtime.contains("nd4j "), String.valueOf(runtime));
    }
}
