package org.daig.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardCutterTest {

    @TempDir
    Path dir;

    /** 103 rows of 3 features whose first value is the row number; labels sorted by class (10 per class). */
    private NpyArray[] sortedData() throws Exception {
        float[] x = new float[103 * 3];
        long[] y = new long[103];
        for (int r = 0; r < 103; r++) {
            x[r * 3] = r;
            x[r * 3 + 1] = -r;
            x[r * 3 + 2] = 0.5f;
            y[r] = r / 11; // sorted by class: 0,0,...,1,1,...
        }
        NpyWriter.writeFloat32(dir.resolve("x.npy"), new long[] { 103, 3 }, x);
        NpyWriter.writeInt64(dir.resolve("y.npy"), new long[] { 103 }, y);
        return new NpyArray[] { NpyArray.open(dir.resolve("x.npy")), NpyArray.open(dir.resolve("y.npy")) };
    }

    @Test
    void everyRowLandsInExactlyOneShardOrTheValidationSetWithItsBytesUnchanged() throws Exception {
        NpyArray[] data = sortedData();
        ShardCutter.Cut cut = ShardCutter.cut(data[0], data[1], 4, 0.1, dir.resolve("out"));
        assertEquals(10, cut.validationRows());
        assertArrayEquals(new long[] { 24, 23, 23, 23 }, cut.shardRows(), "93 training rows, sizes differ by at most one");
        Set<Integer> seen = new HashSet<>();
        for (String part : new String[] { "0", "1", "2", "3", "val" }) {
            try (NpyArray xs = NpyArray.open(dir.resolve("out/x-" + part + ".npy"));
                 NpyArray ys = NpyArray.open(dir.resolve("out/y-" + part + ".npy"))) {
                assertEquals("float32", xs.dtype());
                assertEquals("int64", ys.dtype(), "labels keep their dtype");
                assertEquals(xs.rows(), ys.rows());
                float[] xv = xs.readFloats(0, xs.rows());
                float[] yv = ys.readFloats(0, ys.rows());
                for (int i = 0; i < xs.rows(); i++) {
                    int row = (int) xv[i * 3];
                    assertEquals(-row, xv[i * 3 + 1]);
                    assertEquals(row / 11, (int) yv[i], "label travels with its row");
                    assertTrue(seen.add(row), "row " + row + " appears once");
                }
            }
        }
        assertEquals(103, seen.size());
        data[0].close();
        data[1].close();
    }

    @Test
    void sortedInputStillGivesEveryShardAndTheValidationSetEveryClass() throws Exception {
        NpyArray[] data = sortedData();
        ShardCutter.cut(data[0], data[1], 3, 0.1, dir.resolve("out"));
        for (String part : new String[] { "0", "1", "2", "val" }) {
            try (NpyArray ys = NpyArray.open(dir.resolve("out/y-" + part + ".npy"))) {
                Set<Float> classes = new HashSet<>();
                for (float v : ys.readFloats(0, ys.rows())) {
                    classes.add(v);
                }
                assertTrue(classes.size() >= 9, part + " holds classes " + classes);
            }
        }
        data[0].close();
        data[1].close();
    }

    @Test
    void noValidationFileWhenTheRateHoldsNothingOutAndTooManyShardsAreRefused() throws Exception {
        NpyArray[] data = sortedData();
        ShardCutter.Cut cut = ShardCutter.cut(data[0], data[1], 2, 0.0, dir.resolve("out"));
        assertEquals(0, cut.validationRows());
        assertFalse(Files.exists(dir.resolve("out/x-val.npy")));
        TrainerException e = assertThrows(TrainerException.class, () -> ShardCutter.cut(data[0], data[1], 104, 0.0, dir.resolve("more")));
        assertTrue(e.getMessage().contains("use at most 103 total tasks"), e.getMessage());
        data[0].close();
        data[1].close();
    }
}
