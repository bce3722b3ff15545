package org.daig.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npz archives as numpy.savez / savez_compressed write them: named arrays, stored or deflated. */
class NpzArchiveTest {

    @TempDir
    Path dir;

    private Path npz(boolean compressed) throws Exception {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        NpyWriter.writeFloat32(x, new long[] { 2, 2 }, new float[] { 1, 2, 3, 4 });
        NpyWriter.writeInt64(y, new long[] { 2 }, new long[] { 0, 1 });
        Path archive = dir.resolve(compressed ? "data_z.npz" : "data.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
            zip.setLevel(compressed ? 9 : 0);
            for (Path member : new Path[] { x, y }) {
                zip.putNextEntry(new ZipEntry(member.getFileName().toString()));
                zip.write(Files.readAllBytes(member));
                zip.closeEntry();
            }
        }
        return archive;
    }

    @Test
    void namedArraysAreReadFromStoredAndCompressedArchives() throws Exception {
        for (boolean compressed : new boolean[] { false, true }) {
            Path archive = npz(compressed);
            try (NpyArray x = NpzArchive.open(archive + "#x", dir.resolve("cache"))) {
                assertArrayEquals(new float[] { 3, 4 }, x.readFloats(1, 2));
            }
            try (NpyArray y = NpzArchive.open(archive + "#y", dir.resolve("cache"))) {
                assertArrayEquals(new float[] { 0, 1 }, y.readFloats(0, 2));
            }
        }
    }

    @Test
    void aMissingOrAmbiguousNameSaysWhichArraysThereAre() throws Exception {
        Path archive = npz(false);
        TrainerException ambiguous = assertThrows(TrainerException.class, () -> NpzArchive.open(archive.toString(), dir));
        assertTrue(ambiguous.getMessage().contains("2 arrays") && ambiguous.getMessage().contains("data.npz#x"), ambiguous.getMessage());
        TrainerException missing = assertThrows(TrainerException.class, () -> NpzArchive.open(archive + "#labels", dir));
        assertTrue(missing.getMessage().contains("'labels'") && missing.getMessage().contains("[x, y]"), missing.getMessage());
        Path broken = dir.resolve("broken.npz");
        try (OutputStream out = Files.newOutputStream(broken)) {
            out.write("not a zip".getBytes());
        }
        assertTrue(assertThrows(TrainerException.class, () -> NpzArchive.open(broken + "#x", dir)).getMessage().contains("numpy.savez"));
    }
}
