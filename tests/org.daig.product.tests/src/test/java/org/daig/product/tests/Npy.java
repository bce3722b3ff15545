package org.daig.product.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes .npy files (format 1.0) for the tests, the way numpy.save lays them out. */
final class Npy {

    private Npy() {
    }

    /** A .npy of raw little-endian {@code data} with dtype {@code descr} (e.g. {@code <f4}) and {@code shape} (e.g. {@code (3, 8)}). */
    static byte[] of(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int padding = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) header.length).put(header).put(data);
        return out.array();
    }

    static byte[] floats(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    static byte[] longs(long[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return bytes.array();
    }

    /**
     * The first {@code rows} rows of a .npy file (format 1.0, C order, little-endian '<f4' or '<i8') written to
     * {@code target}: a smaller data set for a benchmark. Returns {@code target}.
     */
    static java.nio.file.Path firstRows(java.nio.file.Path source, long rows, java.nio.file.Path target) throws java.io.IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(source)))) {
            byte[] magic = new byte[10];
            in.readFully(magic);
            int headerLength = (magic[8] & 0xff) | (magic[9] & 0xff) << 8;
            byte[] header = new byte[headerLength];
            in.readFully(header);
            String dict = new String(header, StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher descr = java.util.regex.Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(dict);
            java.util.regex.Matcher shape = java.util.regex.Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)").matcher(dict);
            if (magic[6] != 1 || !descr.find() || !shape.find() || !(descr.group(1).equals("<f4") || descr.group(1).equals("<i8"))) {
                throw new java.io.IOException(source + ": not a version 1.0 .npy of <f4 or <i8");
            }
            String[] dims = shape.group(1).split(",");
            long available = Long.parseLong(dims[0].strip());
            long rowBytes = descr.group(1).equals("<f4") ? 4 : 8;
            StringBuilder rest = new StringBuilder();
            for (int i = 1; i < dims.length; i++) {
                if (!dims[i].isBlank()) {
                    rowBytes *= Long.parseLong(dims[i].strip());
                    rest.append(", ").append(dims[i].strip());
                }
            }
            long take = Math.min(rows, available);
            byte[] data = new byte[Math.toIntExact(take * rowBytes)];
            in.readFully(data);
            String newShape = "(" + take + (rest.length() == 0 ? "," : rest.toString()) + ")";
            java.nio.file.Files.createDirectories(target.toAbsolutePath().getParent());
            java.nio.file.Files.write(target, of(descr.group(1), newShape, data));
            return target;
        }
    }

    /** A float32 .npy's rows given another shape (e.g. 784 values per row as {@code 28, 28, 1}); returns {@code target}. */
    static java.nio.file.Path reshapedRows(java.nio.file.Path source, String rowShape, java.nio.file.Path target) throws java.io.IOException {
        byte[] file = java.nio.file.Files.readAllBytes(source);
        int headerLength = (file[8] & 0xff) | (file[9] & 0xff) << 8;
        String dict = new String(file, 10, headerLength, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher shape = java.util.regex.Pattern.compile("'shape'\\s*:\\s*\\((\\d+)").matcher(dict);
        if (!dict.contains("'<f4'") || !shape.find()) {
            throw new java.io.IOException(source + ": not a float32 .npy");
        }
        byte[] data = java.util.Arrays.copyOfRange(file, 10 + headerLength, file.length);
        java.nio.file.Files.write(target, of("<f4", "(" + shape.group(1) + ", " + rowShape + ")", data));
        return target;
    }
}
