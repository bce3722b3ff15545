package org.daig.trainer.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (as Debian's dataset packages ship them,
 * gzip-compressed) into .npy: images as float32 [n, rows·cols] scaled to [0, 1], labels as int64 [n].
 */
public final class IdxFiles {

    private IdxFiles() {
    }

    /** The file in {@code dir} whose name starts with {@code prefix} (e.g. "train-images"). */
    public static Path find(Path dir, String prefix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new IOException("no " + prefix + "* file in " + dir));
        }
    }

    /** IDX images: {@code count} images of {@code size} pixels each, scaled to [0, 1], row-major. */
    public record Images(int count, int size, float[] values) {
    }

    public static void toNpy(Path images, Path labels, Path x, Path y) throws IOException {
        Images im = readImages(images);
        NpyWriter.writeFloat32(x, new long[] { im.count(), im.size() }, im.values());
        int[] l = readLabels(labels);
        long[] values = new long[l.length];
        for (int i = 0; i < l.length; i++) {
            values[i] = l[i];
        }
        NpyWriter.writeInt64(y, new long[] { l.length }, values);
    }

    /** Reads a gzip-compressed IDX image file (magic 2051); the header's sizes are checked before anything is allocated. */
    public static Images readImages(Path images) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(images)))) {
            if (in.readInt() != 2051) {
                throw new IOException(images + ": not an IDX image file (magic 2051)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < 0 || rows < 1 || cols < 1 || (long) n * rows * cols > Integer.MAX_VALUE - 8) {
                throw new IOException(images + ": IDX header says " + n + " images of " + rows + "x" + cols + " pixels");
            }
            int size = rows * cols;
            byte[] raw = new byte[n * size];
            in.readFully(raw);
            float[] values = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                values[i] = (raw[i] & 0xff) / 255f;
            }
            return new Images(n, size, values);
        }
    }

    /** Reads a gzip-compressed IDX label file (magic 2049). */
    public static int[] readLabels(Path labels) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(labels)))) {
            if (in.readInt() != 2049) {
                throw new IOException(labels + ": not an IDX label file (magic 2049)");
            }
            int n = in.readInt();
            if (n < 0 || n > 100_000_000) {
                throw new IOException(labels + ": IDX header says " + n + " labels");
            }
            int[] values = new int[n];
            for (int i = 0; i < n; i++) {
                values[i] = in.readUnsignedByte();
            }
            return values;
        }
    }
}
