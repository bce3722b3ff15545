package org.daig.experts;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The tensors that expert calls carry: a fixed little-endian header, then the values as raw
 * little-endian float32. Never serialized objects: a peer can only make the reader allocate what the
 * header announces, and the header is checked against a cap before anything is allocated.
 *
 * <pre>
 * offset  size     field
 * 0       4        magic "DTNS"
 * 4       1        version (1)
 * 5       1        dtype (1 = float32)
 * 6       1        rank r (1..8)
 * 7       1        reserved (0)
 * 8       4*r      shape, uint32 each
 * 8+4r    4        payload length in bytes (= 4 * product of the shape)
 * 12+4r   length   values, float32 little-endian, row-major
 * </pre>
 */
public final class TensorFrame {

    public static final int MAGIC = 0x534E5444; // "DTNS" read as a little-endian int
    public static final byte VERSION = 1;
    public static final byte DTYPE_FLOAT32 = 1;
    /** The default cap on one tensor's payload: 64 MiB, far above a batch of activations. */
    public static final long DEFAULT_MAX_PAYLOAD = 64L << 20;

    private static final int FIXED_HEADER = 8;
    private static final int CHUNK = 64 << 10;

    private TensorFrame() {
    }

    /** The frame's size in bytes for this tensor. */
    public static int frameSize(Tensor t) {
        return FIXED_HEADER + 4 * t.rank() + 4 + 4 * t.data().length;
    }

    public static byte[] encode(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(frameSize(t)).order(ByteOrder.LITTLE_ENDIAN);
        putHeader(b, t);
        b.asFloatBuffer().put(t.data());
        return b.array();
    }

    /** Writes one frame; the stream is not flushed or closed. */
    public static void write(Tensor t, OutputStream out) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FIXED_HEADER + 4 * t.rank() + 4).order(ByteOrder.LITTLE_ENDIAN);
        putHeader(header, t);
        out.write(header.array());
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = t.data();
        for (int i = 0; i < data.length;) {
            chunk.clear();
            int n = Math.min(CHUNK / 4, data.length - i);
            chunk.asFloatBuffer().put(data, i, n);
            out.write(chunk.array(), 0, n * 4);
            i += n;
        }
    }

    private static void putHeader(ByteBuffer b, Tensor t) {
        b.putInt(MAGIC).put(VERSION).put(DTYPE_FLOAT32).put((byte) t.rank()).put((byte) 0);
        for (int d : t.shape()) {
            b.putInt(d);
        }
        b.putInt(4 * t.data().length);
    }

    public static Tensor decode(byte[] frame, long maxPayloadBytes) throws IOException {
        try (InputStream in = new java.io.ByteArrayInputStream(frame)) {
            Tensor t = read(in, maxPayloadBytes);
            if (in.read() != -1) {
                throw new IOException("tensor frame has " + (frame.length - frameSize(t)) + " bytes after its payload");
            }
            return t;
        }
    }

    /**
     * Reads one frame. Throws IOException with a message that says what is wrong (wrong magic, unknown
     * version or dtype, a bad rank or shape, a payload over {@code maxPayloadBytes}, a truncated frame);
     * the values array is allocated only after the header passed every check.
     */
    public static Tensor read(InputStream in, long maxPayloadBytes) throws IOException {
        ByteBuffer fixed = readFully(in, FIXED_HEADER, "header");
        int magic = fixed.getInt();
        if (magic != MAGIC) {
            throw new IOException("not a tensor frame: magic " + hex(magic) + ", expected " + hex(MAGIC) + " (\"DTNS\")");
        }
        byte version = fixed.get();
        if (version != VERSION) {
            throw new IOException("tensor frame version " + (version & 0xff) + " is not supported (this reader knows " + VERSION + ")");
        }
        byte dtype = fixed.get();
        if (dtype != DTYPE_FLOAT32) {
            throw new IOException("tensor frame dtype " + (dtype & 0xff) + " is not supported (1 = float32)");
        }
        int rank = fixed.get() & 0xff;
        if (rank < 1 || rank > Tensor.MAX_RANK) {
            throw new IOException("tensor frame rank " + rank + " is outside 1.." + Tensor.MAX_RANK);
        }
        if (fixed.get() != 0) {
            throw new IOException("tensor frame's reserved byte is not 0");
        }
        ByteBuffer rest = readFully(in, 4 * rank + 4, "shape");
        int[] shape = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++) {
            long d = rest.getInt() & 0xffffffffL;
            // checked one dimension at a time so a product of large dimensions cannot overflow
            if (d > Integer.MAX_VALUE || elements * d > Integer.MAX_VALUE || elements * d * 4 > maxPayloadBytes) {
                throw new IOException("tensor frame shape " + shapeText(rest, rank) + " is over the cap of " + maxPayloadBytes
                        + " payload bytes");
            }
            shape[i] = (int) d;
            elements *= d;
        }
        long length = rest.getInt() & 0xffffffffL;
        if (length != elements * 4) {
            throw new IOException("tensor frame shape " + Arrays.toString(shape) + " needs " + elements * 4
                    + " payload bytes, the header says " + length);
        }
        float[] data = new float[(int) elements];
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(4, length))).order(ByteOrder.LITTLE_ENDIAN);
        int filled = 0;
        while (filled < data.length) {
            int n = Math.min(chunk.capacity() / 4, data.length - filled);
            int got = in.readNBytes(chunk.array(), 0, n * 4);
            if (got < n * 4) {
                throw new EOFException("truncated tensor frame: payload ends after " + ((long) filled * 4 + got) + " of " + length
                        + " bytes");
            }
            chunk.position(0).limit(n * 4);
            chunk.asFloatBuffer().get(data, filled, n);
            filled += n;
        }
        return new Tensor(shape, data);
    }

    private static ByteBuffer readFully(InputStream in, int n, String part) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException(b.length == 0 && "header".equals(part) ? "no tensor frame: the stream ended"
                    : "truncated tensor frame: " + part + " ends after " + b.length + " of " + n + " bytes");
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String shapeText(ByteBuffer rest, int rank) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < rank; i++) {
            b.append(i == 0 ? "" : ", ").append(rest.getInt(i * 4) & 0xffffffffL);
        }
        return b.append(']').toString();
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
