package org.daig.trainer.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes .npy files (version 1.0) through a temp file renamed at the end. */
public final class NpyWriter {

    private NpyWriter() {
    }

    public static void writeFloat32(Path file, long[] shape, float[] values) throws IOException {
        writeRaw(file, "<f4", shape, values.length * 4L, buffer -> {
            for (float v : values) {
                buffer.putFloat(v);
            }
        });
    }

    /** A float32 .npy to a stream (an entry of a zip, say); the stream is left open. */
    public static void writeFloat32(OutputStream out, long[] shape, float[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        out.write(header("<f4", shape));
        out.write(data.array());
    }

    public static void writeInt64(Path file, long[] shape, long[] values) throws IOException {
        writeRaw(file, "<i8", shape, values.length * 8L, buffer -> {
            for (long v : values) {
                buffer.putLong(v);
            }
        });
    }

    private interface Filler {
        void fill(ByteBuffer buffer);
    }

    /** Magic, version 1.0, header length and the header dict padded to 64 bytes. */
    static byte[] header(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        byte[] header = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer prefix = ByteBuffer.allocate(10 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) header.length).put(header);
        return prefix.array();
    }

    private static void writeRaw(Path file, String descr, long[] shape, long bytes, Filler filler) throws IOException {
        byte[] header = header(descr, shape);
        ByteBuffer data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        filler.fill(data);
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            out.write(header);
            out.write(data.array());
        }
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
