package org.daig.trainer;

import java.io.PrintStream;

/**
 * SameDiff 1.0.0-M2.1 prints "Added differentiated op ..." to standard output for every operation
 * when it first builds a gradient, thousands of lines for an unrolled GRU. This stream drops those
 * lines and passes everything else.
 */
public final class SameDiffNoise extends PrintStream {

    private static final String PREFIX = "Added differentiated op";

    private SameDiffNoise(PrintStream out) {
        super(out, true);
    }

    /** Replaces System.out with a filtered one; returns the original. */
    public static PrintStream install() {
        PrintStream original = System.out;
        if (!(original instanceof SameDiffNoise)) {
            System.setOut(new SameDiffNoise(original));
        }
        return original;
    }

    @Override
    public void println(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            super.println(line);
        }
    }
}
