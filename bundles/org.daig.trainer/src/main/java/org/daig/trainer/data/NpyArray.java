package org.daig.trainer.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.daig.trainer.TrainerException;

/**
 * A NumPy .npy file read without loading it: the header is parsed, the data is memory-mapped, and
 * rows are converted on demand, so a shard of a 20 GB file costs only the shard.
 *
 * <p>The header is parsed as the small Python-literal dict the format defines, never evaluated;
 * object arrays (pickled Python objects) are refused, because unpickling is code execution.
 * Supported: float16/32/64, int8-64, uint8-64, bool; little- or big-endian; C or Fortran order
 * for 1-d and C order for n-d.
 */
public final class NpyArray implements AutoCloseable {

    private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Mapped in windows so files beyond 2 GB work. */
    private static final long WINDOW = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final long dataOffset;
    private final long[] shape;
    private final char kind; // f, i, u, b
    private final int itemSize;
    private final ByteOrder order;
    private final long rowElements;

    private NpyArray(Path file, FileChannel channel, long dataOffset, long[] shape, char kind, int itemSize, ByteOrder order) {
        this.file = file;
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.shape = shape;
        this.kind = kind;
        this.itemSize = itemSize;
        this.order = order;
        long elements = 1;
        for (int i = 1; i < shape.length; i++) {
            elements *= shape[i];
        }
        this.rowElements = elements;
    }

    public static NpyArray open(Path file) throws TrainerException {
        if (!Files.isRegularFile(file)) {
            throw new TrainerException(file + ": no such file");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(head, 0);
            head.flip();
            byte[] magic = new byte[6];
            if (head.remaining() < 10) {
                throw new TrainerException(file + ": not a .npy file (too short). Save arrays with numpy.save(path, array)");
            }
            head.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new TrainerException(file + ": not a .npy file (no NUMPY magic). Save arrays with numpy.save(path, array)");
            }
            int major = head.get() & 0xff;
            head.get(); // minor
            long headerLength;
            long prefix;
            if (major == 1) {
                headerLength = head.getShort() & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (head.remaining() < 4) {
                    throw new TrainerException(file + ": truncated .npy header");
                }
                headerLength = head.getInt() & 0xffffffffL;
                prefix = 12;
            } else {
                throw new TrainerException(file + ": .npy format version " + major + " is not supported (1-3 are)");
            }
            if (headerLength > 1 << 20 || prefix + headerLength > channel.size()) {
                throw new TrainerException(file + ": truncated or damaged .npy header");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, prefix);
            String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            NpyArray array = parse(file, channel, prefix + headerLength, header);
            channel = null; // owned by the array now
            return array;
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot read (" + e.getMessage() + ")", e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing more to say than the error already being thrown
                }
            }
        }
    }

    private static NpyArray parse(Path file, FileChannel channel, long dataOffset, String header) throws TrainerException, IOException {
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw new TrainerException(file + ": the .npy header is not the dict numpy writes (descr, fortran_order, shape): " + header.trim());
        }
        String dtype = descr.group(1);
        if (dtype.contains("O")) {
            throw new TrainerException(file + ": holds Python objects (dtype object), which would have to be unpickled; "
                    + "that is never done. Re-save it as numbers, e.g. numpy.save(path, x.astype('float32'))");
        }
        if (dtype.length() < 3) {
            throw new TrainerException(file + ": unsupported dtype '" + dtype + "'");
        }
        char byteOrder = dtype.charAt(0);
        char kind = dtype.charAt(1);
        int itemSize;
        try {
            itemSize = Integer.parseInt(dtype.substring(2));
        } catch (NumberFormatException e) {
            throw new TrainerException(file + ": unsupported dtype '" + dtype + "' (structured arrays are not supported)");
        }
        boolean supported = switch (kind) {
        case 'f' -> itemSize == 2 || itemSize == 4 || itemSize == 8;
        case 'i', 'u' -> itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
        case 'b' -> itemSize == 1;
        default -> false;
        };
        if (!supported) {
            throw new TrainerException(file + ": dtype '" + dtype + "' is not supported; use float16/32/64, int8-64, uint8-64 or bool "
                    + "(e.g. numpy.save(path, x.astype('float32')))");
        }
        ByteOrder order = byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        List<Long> dims = new ArrayList<>();
        for (String part : shapeMatch.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (shape.length == 0) {
            throw new TrainerException(file + ": holds a scalar, not an array of samples");
        }
        if ("True".equals(fortran.group(1)) && shape.length > 1) {
            throw new TrainerException(file + ": is stored in Fortran order; re-save it with numpy.save(path, numpy.ascontiguousarray(x))");
        }
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        long expected = dataOffset + elements * itemSize;
        if (channel.size() < expected) {
            throw new TrainerException(file + ": truncated: the header promises " + elements + " values ("
                    + expected + " bytes) but the file has " + channel.size() + " bytes");
        }
        return new NpyArray(file, channel, dataOffset, shape, kind, itemSize, order);
    }

    public Path file() {
        return file;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of samples: the first dimension. */
    public long rows() {
        return shape[0];
    }

    /** Values per sample (the product of the other dimensions, 1 for a 1-d array). */
    public long rowElements() {
        return rowElements;
    }

    /** The dtype as numpy names it, e.g. float32. */
    public String dtype() {
        return switch (kind) {
        case 'f' -> "float" + itemSize * 8;
        case 'i' -> "int" + itemSize * 8;
        case 'u' -> "uint" + itemSize * 8;
        default -> "bool";
        };
    }

    public boolean isFloatingPoint() {
        return kind == 'f';
    }

    /** Rows {@code [from, to)} as float32, row-major. */
    public float[] readFloats(long from, long to) throws TrainerException {
        checkRange(from, to);
        long count = (to - from) * rowElements;
        if (count > Integer.MAX_VALUE - 8) {
            throw new TrainerException(file + ": rows " + from + "-" + to + " are too many values for one read; read fewer rows");
        }
        float[] out = new float[(int) count];
        long position = dataOffset + from * rowElements * itemSize;
        int done = 0;
        try {
            while (done < out.length) {
                long windowBytes = Math.min(WINDOW - WINDOW % itemSize, (long) (out.length - done) * itemSize);
                MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, position, windowBytes);
                buffer.order(order);
                int n = (int) (windowBytes / itemSize);
                for (int i = 0; i < n; i++) {
                    out[done + i] = readValue(buffer);
                }
                done += n;
                position += windowBytes;
            }
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot read rows " + from + "-" + to + " (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private float readValue(ByteBuffer buffer) {
        return switch (kind) {
        case 'f' -> switch (itemSize) {
            case 2 -> halfToFloat(buffer.getShort());
            case 4 -> buffer.getFloat();
            default -> (float) buffer.getDouble();
            };
        case 'i' -> switch (itemSize) {
            case 1 -> buffer.get();
            case 2 -> buffer.getShort();
            case 4 -> buffer.getInt();
            default -> buffer.getLong();
            };
        case 'u' -> switch (itemSize) {
            case 1 -> buffer.get() & 0xff;
            case 2 -> buffer.getShort() & 0xffff;
            case 4 -> buffer.getInt() & 0xffffffffL;
            default -> unsignedToFloat(buffer.getLong());
            };
        default -> buffer.get() != 0 ? 1f : 0f;
        };
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat exists only from Java 20). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) * 2.0);
    }

    private void checkRange(long from, long to) throws TrainerException {
        if (from < 0 || to > rows() || from > to) {
            throw new TrainerException(file + ": rows " + from + "-" + to + " are outside 0-" + rows());
        }
    }

    /** Bytes per sample. */
    long rowBytes() {
        return rowElements * itemSize;
    }

    /** Reads raw bytes of whole rows starting at {@code row} into {@code buffer} (filled to its limit). */
    void readRowBytes(long row, ByteBuffer buffer) throws IOException {
        long position = dataOffset + row * rowBytes();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position) < 0) {
                throw new IOException(file + " ended early");
            }
            position = dataOffset + row * rowBytes() + buffer.position();
        }
    }

    /** The dtype as the .npy header spells it, e.g. {@code <f4}. */
    public String descr() {
        char byteOrder = itemSize == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        return "" + byteOrder + kind + itemSize;
    }

    /** A description for messages: "x.npy (float32, shape 1437x64)". */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (long d : shape) {
            s.append(s.length() == 0 ? "" : "x").append(d);
        }
        return file.getFileName() + " (" + dtype() + ", shape " + s + ")";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }
}
