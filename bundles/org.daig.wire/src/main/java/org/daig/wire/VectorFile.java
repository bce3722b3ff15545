package org.daig.wire;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameters and updates on the data plane: a 1-d float32 little-endian .npy file, so a
 * requestor can open any model version's parameters with {@code numpy.load}. Readers accept only
 * exactly that ({@code <f4}, one dimension, C order): anything else is refused, never guessed at.
 */
public final class VectorFile {

    private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\((\\d+),\\), \\}\\s*");
    private static final int CHUNK = 1 << 16;

    private VectorFile() {
    }

    /** The file's size for {@code length} values. */
    public static long fileSize(long length) {
        return header(length).length + 4L * length;
    }

    public static void write(OutputStream out, float[] values) throws IOException {
        out.write(header(values.length));
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (int from = 0; from < values.length; from += CHUNK) {
            int n = Math.min(CHUNK, values.length - from);
            floats.clear();
            floats.put(values, from, n);
            out.write(bytes.array(), 0, n * 4);
        }
    }

    /**
     * Reads a vector, requiring {@code expectedLength} values (or any length if negative).
     *
     * @throws IOException naming what is wrong: not a float32 vector, wrong length, truncated
     */
    public static float[] read(InputStream in, long expectedLength) throws IOException {
        // buffers no larger than the vector: the coordinator reads every result's delta, mostly small ones
        int buffered = expectedLength >= 0 ? (int) Math.min(CHUNK, 128 + 4 * expectedLength) : CHUNK;
        DataInputStream data = new DataInputStream(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, buffered));
        byte[] prefix = new byte[10];
        data.readFully(prefix);
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new IOException("not a .npy float32 vector (no NUMPY magic)");
            }
        }
        if (prefix[6] != 1) {
            throw new IOException("a vector must be .npy format version 1.0");
        }
        int headerLength = (prefix[8] & 0xff) | (prefix[9] & 0xff) << 8;
        byte[] header = new byte[headerLength];
        data.readFully(header);
        Matcher m = HEADER.matcher(new String(header, StandardCharsets.ISO_8859_1));
        if (!m.matches()) {
            throw new IOException("not a 1-d little-endian float32 .npy vector: " + new String(header, StandardCharsets.ISO_8859_1).trim());
        }
        long length = Long.parseLong(m.group(1));
        if (expectedLength >= 0 && length != expectedLength) {
            throw new IOException("holds " + length + " values but the model has " + expectedLength + " parameters");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("holds " + length + " values, more than one vector can have");
        }
        float[] values = new float[(int) length];
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, length)) * 4];
        FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int from = 0; from < values.length; from += chunk.length / 4) {
            int n = Math.min(chunk.length / 4, values.length - from);
            try {
                data.readFully(chunk, 0, n * 4);
            } catch (java.io.EOFException e) {
                throw new IOException("truncated: ends before its " + length + " values");
            }
            floats.clear();
            floats.get(values, from, n);
        }
        if (data.read() != -1) {
            throw new IOException("has bytes after its " + length + " values");
        }
        return values;
    }

    private static byte[] header(long length) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + length + ",), }";
        int padding = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return out.array();
    }
}
