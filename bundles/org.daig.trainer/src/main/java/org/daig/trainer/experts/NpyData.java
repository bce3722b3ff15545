package org.daig.trainer.experts;

import java.nio.file.Path;

import org.daig.trainer.TrainerException;
import org.daig.trainer.data.IdxFiles;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpzArchive;

/** A trainer's data from .npy files: samples as flat rows, labels as class ids (or one-hot rows, read as their argmax). */
final class NpyData {

    private NpyData() {
    }

    /** Every sample of {@code file} as one row of floats (an image's pixels in one row). */
    static IdxFiles.Images samples(Path file) throws TrainerException {
        try (NpyArray x = NpzArchive.openAny(file)) {
            if (x.rows() < 1 || x.rows() * x.rowElements() > Integer.MAX_VALUE - 8) {
                throw new TrainerException(file + ": " + x.rows() + " samples of " + x.rowElements() + " values do not fit one array in memory");
            }
            return new IdxFiles.Images((int) x.rows(), (int) x.rowElements(), x.readFloats(0, x.rows()));
        }
    }

    /** The class id of each of {@code rows} samples. */
    static int[] labels(Path file, int rows) throws TrainerException {
        try (NpyArray y = NpzArchive.openAny(file)) {
            if (y.rows() != rows) {
                throw new TrainerException(file + ": " + y.rows() + " labels for " + rows + " samples; the two files must have one row per sample");
            }
            float[] v = y.readFloats(0, y.rows());
            int width = (int) y.rowElements();
            int[] ids = new int[rows];
            for (int i = 0; i < rows; i++) {
                if (width == 1) {
                    float c = v[i];
                    if (c < 0 || c != Math.rint(c) || c > 65_535) {
                        throw new TrainerException(file + ": label " + c + " of sample " + i + " is not a class id 0..65535 (or use one-hot rows)");
                    }
                    ids[i] = (int) c;
                } else {
                    int best = 0;
                    for (int j = 1; j < width; j++) {
                        best = v[i * width + j] > v[i * width + best] ? j : best;
                    }
                    ids[i] = best;
                }
            }
            return ids;
        }
    }
}
