package org.daig.coordinator.schedule;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Lease ids: the issue time and 64 unpredictable bits, in hex ("l" + 12 + 16 digits), so that a
 * burst of leases adds to the end of the leases table's index. The bits come from a DRBG of this
 * object's own, 4 KiB at a time: asked for 8 bytes at once, a DRBG spends most of its work on each
 * call's bookkeeping (two fifths of a lease's samples in a profile of the task exchange).
 */
final class LeaseIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final SecureRandom random = OwnRandom.create();
    private final ByteBuffer bits = ByteBuffer.allocate(4096).position(4096);

    /** A new lease id issued at {@code now} (milliseconds). */
    synchronized String next(long now) {
        if (!bits.hasRemaining()) {
            random.nextBytes(bits.array());
            bits.clear();
        }
        char[] id = new char[29];
        id[0] = 'l';
        hex(now, id, 1, 12);
        hex(bits.getLong(), id, 13, 16);
        return new String(id);
    }

    /** The lowest {@code digits} hex digits of {@code value} into {@code out} from {@code at}. */
    private static void hex(long value, char[] out, int at, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (value >>> (4 * (digits - 1 - i))) & 0xf];
        }
    }
}
