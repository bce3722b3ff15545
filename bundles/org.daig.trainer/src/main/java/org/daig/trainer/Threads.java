package org.daig.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.Nd4jBlas;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The worker's thread count and what else decides the last bits of a training: the same task on
 * the same runtime with the same thread count gives the same update bit for bit, which is what
 * lets the coordinator demand an exact replay. Checked: the demo's MLP trained by a 2-thread
 * worker set to 1 thread here equals a 1-thread worker's, and differs without it.
 */
public final class Threads {

    private Threads() {
    }

    /**
     * The thread count ND4J computes with now: the smaller of its own pool's and BLAS's (a count
     * one of them did not take is not claimed).
     */
    public static int current() {
        int pool = Nd4j.getEnvironment().maxThreads();
        return Nd4j.factory().blas() instanceof Nd4jBlas blas ? Math.min(pool, blas.getMaxThreads()) : pool;
    }

    /**
     * Sets ND4J's threads (its own pool, OpenMP and BLAS) to {@code threads}; 0 or less leaves
     * them. ND4J keeps a count above the one it started with at that one, so callers read
     * {@link #current()} afterwards rather than assume. Returns the count before, to set back.
     */
    public static int use(int threads) {
        int before = current();
        if (threads > 0 && threads != before) {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            if (Nd4j.factory().blas() instanceof Nd4jBlas blas) {
                blas.setMaxThreads(threads);
            }
        }
        return before;
    }

    /**
     * The backend, the CPU model and the library version, or null where the CPU model cannot be
     * read (not Linux): a replay on another runtime may differ in its last bits, so only equal
     * fingerprints make the coordinator demand an exact replay.
     */
    public static String runtime() {
        String cpu = cpuModel();
        return cpu == null ? null : Nd4j.getBackend().getClass().getSimpleName() + "; " + cpu + "; " + System.getProperty("os.arch")
                + "; nd4j " + Nd4j.class.getPackage().getImplementationVersion();
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
