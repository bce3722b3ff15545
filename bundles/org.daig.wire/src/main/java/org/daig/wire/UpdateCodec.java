package org.daig.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Compressed float vectors for updates going up and parameter differences going down
 * (docs/protocol.md, "Compressed vectors"). A 16-byte header — magic {@code DUP}, format version
 * 1, the encoding, three zero bytes, the value count as a little-endian u64 — then the body:
 * <ul>
 * <li>{@code fp32}: the values as little-endian float32;</li>
 * <li>{@code fp16}: IEEE half precision, rounded to nearest even, saturated at ±65504;</li>
 * <li>{@code int8}: blockwise absmax quantization: u32 block size, one float32 scale per block
 * (the block's largest magnitude / 127), then one signed byte per value;</li>
 * <li>{@code topk}: the largest magnitudes only: u32 count, the indices as LEB128 varint gaps
 * (first index, then each minus the previous minus one), then the values as float32.</li>
 * </ul>
 * Decoders read only what the header and the expected length allow, and refuse a wrong magic,
 * version, encoding or length, a truncated body, trailing bytes, unsorted or out-of-range indices
 * and non-finite scales, each with a message saying which.
 */
public final class UpdateCodec {

    /** The format version written in every header. */
    public static final int FORMAT_VERSION = 1;
    /** Header bytes before the body. */
    public static final int HEADER_BYTES = 16;
    private static final byte[] MAGIC = { 'D', 'U', 'P' };
    private static final float HALF_MAX = 65504f;

    /** How the values are written. */
    public enum Encoding {
        FP32, FP16, INT8, TOPK;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A project's compression: the encoding, for {@code topk} the fraction of values kept, for
     * {@code int8} the block size.
     */
    public record Compression(Encoding encoding, double density, int blockSize) {

        /** Plain float32: what "none" means where a .npy is not wanted. */
        public static final Compression NONE = new Compression(Encoding.FP32, 1, 0);
        public static final double DEFAULT_DENSITY = 0.001;
        public static final int DEFAULT_BLOCK = 4096;
        /** Above this a sparse update is no smaller than a dense one. */
        public static final double MAX_DENSITY = 0.1;

        public Compression {
            if (encoding == Encoding.TOPK && !(density > 0 && density <= MAX_DENSITY)) {
                throw new IllegalArgumentException("topk keeps a fraction above 0 and at most " + MAX_DENSITY + " of the values, e.g. "
                        + "topk:0.001; got " + density);
            }
            if (encoding == Encoding.INT8 && (blockSize < 64 || blockSize > 1 << 20)) {
                throw new IllegalArgumentException("int8 blocks hold 64 to 1048576 values, e.g. int8:4096; got " + blockSize);
            }
        }

        /**
         * Reads {@code none}, {@code fp16}, {@code int8[:block]} or {@code topk[:fraction]}
         * (null or empty: none).
         *
         * @throws IllegalArgumentException naming the accepted forms
         */
        public static Compression parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            String name = t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
            String argument = t.contains(":") ? t.substring(t.indexOf(':') + 1) : null;
            try {
                return switch (name) {
                case "", "none", "fp32" -> argumentless(argument, NONE);
                case "fp16" -> argumentless(argument, new Compression(Encoding.FP16, 1, 0));
                case "int8" -> new Compression(Encoding.INT8, 1, argument == null ? DEFAULT_BLOCK : Integer.parseInt(argument));
                case "topk" -> new Compression(Encoding.TOPK, argument == null ? DEFAULT_DENSITY : Double.parseDouble(argument), 0);
                default -> throw new IllegalArgumentException("unknown compression '" + text + "'; use none, fp16, int8[:block] or "
                        + "topk[:fraction]");
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression '" + text + "': '" + argument + "' is not a number; e.g. int8:4096 or "
                        + "topk:0.001");
            }
        }

        private static Compression argumentless(String argument, Compression c) {
            if (argument != null) {
                throw new IllegalArgumentException("compression " + c.text() + " takes no argument");
            }
            return c;
        }

        /** The form {@link #parse} reads: none, fp16, int8:4096, topk:0.001. */
        public String text() {
            return switch (encoding) {
            case FP32 -> "none";
            case FP16 -> "fp16";
            case INT8 -> "int8:" + blockSize;
            case TOPK -> "topk:" + new java.math.BigDecimal(Double.toString(density)).stripTrailingZeros().toPlainString();
            };
        }

        public boolean none() {
            return encoding == Encoding.FP32;
        }

        /** How many values a topk encoding of {@code length} values keeps. */
        public int kept(int length) {
            return length == 0 ? 0 : (int) Math.min(length, Math.max(1, Math.ceil(density * length)));
        }

        /** The most bytes an encoding of {@code length} values can take: the cap a reader applies. */
        public long maxBytes(long length) {
            return HEADER_BYTES + switch (encoding) {
            case FP32 -> 4 * length;
            case FP16 -> 2 * length;
            case INT8 -> 4 + 4 * blocks(length, blockSize) + length;
            case TOPK -> 4 + 9L * kept((int) Math.min(length, Integer.MAX_VALUE));
            };
        }
    }

    private UpdateCodec() {
    }

    /** Encodes {@code values} (finite) as {@code c} says. */
    public static byte[] encode(float[] values, Compression c) {
        ByteBuffer out = ByteBuffer.allocate((int) c.maxBytes(values.length)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) FORMAT_VERSION).put((byte) c.encoding().ordinal()).put(new byte[3]).putLong(values.length);
        switch (c.encoding()) {
        case FP32 -> {
            for (float v : values) {
                out.putFloat(v);
            }
        }
        case FP16 -> {
            for (float v : values) {
                out.putShort(toHalf(Math.max(-HALF_MAX, Math.min(HALF_MAX, v))));
            }
        }
        case INT8 -> encodeInt8(values, c.blockSize(), out);
        case TOPK -> encodeTopK(values, c.kept(values.length), out);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static void encodeInt8(float[] values, int block, ByteBuffer out) {
        int blocks = blocks(values.length, block);
        float[] scales = new float[blocks];
        out.putInt(block);
        for (int b = 0; b < blocks; b++) {
            float max = 0;
            for (int i = b * block; i < Math.min(values.length, (b + 1) * block); i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            scales[b] = max / 127f;
            out.putFloat(scales[b]);
        }
        for (int i = 0; i < values.length; i++) {
            float scale = scales[i / block];
            out.put(scale == 0 ? 0 : (byte) Math.max(-127, Math.min(127, Math.round(values[i] / scale))));
        }
    }

    private static void encodeTopK(float[] values, int k, ByteBuffer out) {
        int[] kept = largest(values, k);
        out.putInt(kept.length);
        int previous = -1;
        for (int index : kept) {
            putVarint(out, index - previous - 1);
            previous = index;
        }
        for (int index : kept) {
            out.putFloat(values[index]);
        }
    }

    /** The indices of the {@code k} largest magnitudes, ascending (ties: the earlier index). */
    static int[] largest(float[] values, int k) {
        if (k >= values.length) {
            int[] all = new int[values.length];
            Arrays.setAll(all, i -> i);
            return all;
        }
        float[] magnitudes = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            magnitudes[i] = Math.abs(values[i]);
        }
        float threshold = kthLargest(magnitudes.clone(), k);
        int above = 0;
        for (float m : magnitudes) {
            if (m > threshold) {
                above++;
            }
        }
        int[] kept = new int[k];
        int n = 0;
        int ties = k - above; // values equal to the threshold fill what is left, first ones first
        for (int i = 0; i < values.length && n < k; i++) {
            if (magnitudes[i] > threshold || magnitudes[i] == threshold && ties-- > 0) {
                kept[n++] = i;
            }
        }
        return kept;
    }

    /** Quickselect (Hoare partition, middle pivot): the k-th largest value; reorders {@code a}. */
    private static float kthLargest(float[] a, int k) {
        int target = a.length - k;
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    /**
     * Reads an encoded vector of exactly {@code expectedLength} values written with {@code c}'s
     * encoding, reading at most {@code c.maxBytes(expectedLength)} bytes.
     *
     * @throws IOException saying what is wrong with the input
     */
    public static float[] decode(InputStream in, long expectedLength, Compression c) throws IOException {
        if (expectedLength < 0 || expectedLength > Integer.MAX_VALUE - 8) {
            throw new IOException("cannot decode a vector of " + expectedLength + " values");
        }
        DataInputStream data = new DataInputStream(in);
        byte[] header = readFully(data, HEADER_BYTES, "header");
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (header[0] != MAGIC[0] || header[1] != MAGIC[1] || header[2] != MAGIC[2]) {
            throw new IOException("not a DAIG compressed vector (no DUP magic)");
        }
        if (header[3] != FORMAT_VERSION) {
            throw new IOException("compressed vector format version " + (header[3] & 0xff) + "; this reads version " + FORMAT_VERSION);
        }
        int encoding = header[4] & 0xff;
        if (encoding >= Encoding.values().length) {
            throw new IOException("unknown encoding " + encoding);
        }
        if (Encoding.values()[encoding] != c.encoding()) {
            throw new IOException("encoded as " + Encoding.values()[encoding].text() + " but the project uses " + c.text());
        }
        if (header[5] != 0 || header[6] != 0 || header[7] != 0) {
            throw new IOException("reserved header bytes are not zero");
        }
        long length = h.getLong(8);
        if (length != expectedLength) {
            throw new IOException("holds " + length + " values but the model has " + expectedLength + " parameters");
        }
        int n = (int) length;
        float[] values = switch (c.encoding()) {
        case FP32 -> floats(readFully(data, 4L * n, "values"), n);
        case FP16 -> halves(readFully(data, 2L * n, "values"), n);
        case INT8 -> decodeInt8(data, n, c);
        case TOPK -> decodeTopK(data, n, c);
        };
        if (data.read() != -1) {
            throw new IOException("has bytes after its " + c.text() + " body");
        }
        return values;
    }

    private static float[] decodeInt8(DataInputStream data, int n, Compression c) throws IOException {
        int block = ByteBuffer.wrap(readFully(data, 4, "block size")).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (block != c.blockSize()) {
            throw new IOException("int8 block size " + block + " but the project uses " + c.blockSize());
        }
        int blocks = blocks(n, block);
        float[] scales = floats(readFully(data, 4L * blocks, "block scales"), blocks);
        for (float s : scales) {
            if (!Float.isFinite(s) || s < 0) {
                throw new IOException("an int8 block scale is " + s + " (must be finite and not negative)");
            }
        }
        byte[] q = readFully(data, n, "values");
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = q[i] * scales[i / block];
        }
        return values;
    }

    private static float[] decodeTopK(DataInputStream data, int n, Compression c) throws IOException {
        int k = ByteBuffer.wrap(readFully(data, 4, "count")).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (k < 0 || k > c.kept(n)) {
            throw new IOException("keeps " + k + " values where at most " + c.kept(n) + " of " + n + " are allowed (" + c.text() + ")");
        }
        int[] indices = new int[k];
        long previous = -1;
        for (int i = 0; i < k; i++) {
            long index = previous + 1 + readVarint(data);
            if (index >= n) {
                throw new IOException("index " + index + " is out of range (" + n + " values)");
            }
            indices[i] = (int) index;
            previous = index;
        }
        float[] kept = floats(readFully(data, 4L * k, "values"), k);
        float[] values = new float[n];
        for (int i = 0; i < k; i++) {
            values[indices[i]] = kept[i];
        }
        return values;
    }

    private static byte[] readFully(DataInputStream data, long count, String what) throws IOException {
        byte[] bytes = new byte[(int) count];
        try {
            data.readFully(bytes);
        } catch (EOFException e) {
            throw new IOException("truncated: its " + what + " should take " + count + " bytes");
        }
        return bytes;
    }

    private static float[] floats(byte[] bytes, int n) {
        float[] values = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static float[] halves(byte[] bytes, int n) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = fromHalf(b.getShort());
        }
        return values;
    }

    private static int blocks(long length, int block) {
        return block == 0 ? 0 : (int) ((length + block - 1) / block);
    }

    private static void putVarint(ByteBuffer out, int value) {
        int v = value;
        while ((v & ~0x7f) != 0) {
            out.put((byte) (v & 0x7f | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    private static long readVarint(DataInputStream data) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = data.read();
            if (b < 0) {
                throw new IOException("truncated: an index gap is cut off");
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("an index gap is longer than 5 bytes");
    }

    /** IEEE 754 binary16 of {@code f}, rounded to nearest even. */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = bits >>> 16 & 0x8000;
        int exponent = (bits >>> 23 & 0xff) - 127 + 15;
        int mantissa = bits & 0x7fffff;
        if ((bits >>> 23 & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        if (exponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign;
            }
            int full = mantissa | 0x800000;
            int shift = 14 - exponent;
            return (short) (sign | roundShift(full, shift));
        }
        return (short) (sign | roundShift(exponent << 23 | mantissa, 13)); // a carry into the exponent is the right result
    }

    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & (1 << shift) - 1;
        int half = 1 << shift - 1;
        return rest > half || rest == half && (kept & 1) == 1 ? kept + 1 : kept;
    }

    static float fromHalf(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = bits >>> 10 & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        return Float.intBitsToFloat(sign | exponent - 15 + 127 << 23 | mantissa << 13);
    }

    /**
     * Error feedback (Deep Gradient Compression; DL4J's threshold encoding): what an encoding
     * dropped from one vector is added to the next one, so nothing is lost, only delayed. One per
     * project on a provider, kept across its tasks.
     */
    public static final class Residual {
        private float[] residual;

        /** Encodes {@code delta} plus what earlier encodings dropped, and keeps what this one drops. */
        public synchronized byte[] encode(float[] delta, Compression c) {
            float[] sum = delta.clone();
            if (residual != null && residual.length == sum.length) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += residual[i];
                }
            }
            byte[] encoded = UpdateCodec.encode(sum, c);
            float[] sent;
            try {
                sent = UpdateCodec.decode(new java.io.ByteArrayInputStream(encoded), sum.length, c);
            } catch (IOException e) {
                throw new IllegalStateException("an encoding this codec wrote does not decode", e);
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] -= sent[i];
            }
            residual = sum;
            return encoded;
        }

        /** The sum of magnitudes still owed (0 before the first encoding). */
        public synchronized double owed() {
            double owed = 0;
            if (residual != null) {
                for (float r : residual) {
                    owed += Math.abs(r);
                }
            }
            return owed;
        }
    }
}
