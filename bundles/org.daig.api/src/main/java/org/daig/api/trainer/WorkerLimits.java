package org.daig.api.trainer;

/**
 * What a worker may use.
 *
 * @param heap        JVM heap, e.g. "2g"
 * @param threads     CPU threads for ND4J/OpenBLAS/OpenMP and the JVM
 * @param lowPriority run at the lowest OS priority (nice 19) where the OS has it
 */
public record WorkerLimits(String heap, int threads, boolean lowPriority) {
}
