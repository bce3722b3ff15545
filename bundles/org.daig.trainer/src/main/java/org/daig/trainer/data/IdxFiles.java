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

    public static void toNpy(Path images, Path labels, Path x, Path y) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(images)))) {
            if (in.readInt() != 2051) {
                throw new IOException(images + ": not an IDX image file (magic 2051)");
            }
            int n = in.readInt();
            int size = in.readInt() * in.readInt();
            byte[] raw = new byte[n * size];
            in.readFully(raw);
            float[] values = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                values[i] = (raw[i] & 0xff) / 255f;
            }
            NpyWriter.writeFloat32(x, new long[] { n, size }, values);
        }
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(labels)))) {
            if (in.readInt() != 2049) {
                throw new IOException(labels + ": not an IDX label file (magic 2049)");
            }
            int n = in.readInt();
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = in.readUnsignedByte();
            }
            NpyWriter.writeInt64(y, new long[] { n }, values);
        }
    }
}
