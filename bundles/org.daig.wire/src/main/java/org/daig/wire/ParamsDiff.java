package org.daig.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Parameters sent down as compressed differences (docs/protocol.md, "Parameters as
 * differences"). A compressed project's coordinator keeps, beside each exact version P(v), the
 * parameters it hands out, B(v): B(0) = P(0) and B(v) = B(v-1) + decode(D(v)) with
 * D(v) = encode(P(v) - B(v-1)). A provider that holds B(u) rebuilds B(v) from the differences
 * D(u+1)..D(v) alone, value for value as the coordinator did (the same float32 additions in the
 * same order), and checks the rebuilt file against B(v)'s SHA-256 blob id. The difference is always
 * taken from B, never from P, so what one encoding drops is sent with the next: the coordinator's
 * own error feedback. The differences use the project's encoding, except that topk projects get
 * theirs in int8 ({@link #encodingFor}).
 */
public final class ParamsDiff {

    /** The most differences a task names; a provider further behind downloads the whole vector. */
    public static final int MAX_CHAIN = 16;

    private ParamsDiff() {
    }

    /**
     * How differences go down for a project whose updates go up in {@code updates}: the same, but
     * int8 (blocks of the default size) for topk. A sparsified difference would leave the
     * parameters providers train from far behind the exact ones (each version would send a few
     * per mille of how far they are apart, and every provider would train on that lag), while
     * home downlinks are several times faster than the uplinks sparsification is for.
     */
    public static UpdateCodec.Compression encodingFor(UpdateCodec.Compression updates) {
        return updates.encoding() == UpdateCodec.Encoding.TOPK
                ? new UpdateCodec.Compression(UpdateCodec.Encoding.INT8, 1, UpdateCodec.Compression.DEFAULT_BLOCK) : updates;
    }

    /** D: {@code next - base}, encoded. */
    public static byte[] encode(float[] base, float[] next, UpdateCodec.Compression c) {
        if (base.length != next.length) {
            throw new IllegalArgumentException("the versions differ in length: " + base.length + " and " + next.length);
        }
        float[] difference = new float[base.length];
        for (int i = 0; i < difference.length; i++) {
            difference[i] = next[i] - base[i];
        }
        return UpdateCodec.encode(difference, c);
    }

    /** Adds the encoded difference to {@code base}, in place: B(v) from B(v-1) and D(v). */
    public static void apply(float[] base, byte[] encoded, UpdateCodec.Compression c) throws IOException {
        float[] difference = UpdateCodec.decode(new ByteArrayInputStream(encoded), base.length, c);
        for (int i = 0; i < base.length; i++) {
            base[i] += difference[i];
        }
    }

    /**
     * How many differences are worth sending for a vector of {@code length} values: while together
     * they take at most three quarters of the float32 vector's bytes (else the extra requests buy
     * little), at most {@link #MAX_CHAIN}; 0 for uncompressed projects.
     */
    public static int worthSending(long length, UpdateCodec.Compression c) {
        if (c.none()) {
            return 0;
        }
        long whole = VectorFile.fileSize(length);
        int n = 0;
        while (n < MAX_CHAIN && 4 * (n + 1) * c.maxBytes(length) <= 3 * whole) {
            n++;
        }
        return n;
    }
}
