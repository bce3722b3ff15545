package org.daig.trainer.data;

import java.nio.file.Path;
import java.util.Arrays;

import org.daig.trainer.TrainerException;
import org.daig.trainer.keras.TrainableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Features and labels from .npy files, checked against the model they are meant for: lengths,
 * the input shape, label ids against the number of classes, NaN/Inf, empty arrays. Class ids are
 * one-hot encoded on the fly when the loss wants one-hot; sparse categorical cross-entropy takes
 * them as they are, as Keras does.
 */
public final class TrainingData {

    private TrainingData() {
    }

    public static DataSet load(TrainableModel model, Path xFile, Path yFile) throws TrainerException {
        try (NpyArray x = NpzArchive.openAny(xFile); NpyArray y = NpzArchive.openAny(yFile)) {
            return load(model, x, y, 0, x.rows());
        }
    }

    /** Rows {@code [from, to)} of x and y: a shard, read without loading the rest of the files. */
    public static DataSet load(TrainableModel model, NpyArray x, NpyArray y, long from, long to) throws TrainerException {
        if (x.rows() == 0) {
            throw new TrainerException(x.file() + ": is empty (no samples)");
        }
        if (x.rows() != y.rows()) {
            throw new TrainerException(x.file().getFileName() + " has " + x.rows() + " samples but " + y.file().getFileName()
                    + " has " + y.rows() + " labels: they must have the same length");
        }
        INDArray features = features(model, x, from, to);
        INDArray labels = labels(model, y, from, to);
        return new DataSet(features, labels);
    }

    public static INDArray features(TrainableModel model, NpyArray x, long from, long to) throws TrainerException {
        long[] expected = model.facts().inputShape();
        long[] actual = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        if (expected != null && !matches(expected, actual)) {
            long wanted = Arrays.stream(expected).reduce(1, (a, b) -> a * Math.max(b, 1));
            String hint = expected.length == 1 && wanted == x.rowElements()
                    ? " (flatten it: numpy.save(path, x.reshape(len(x), " + wanted + ")))" : "";
            throw new TrainerException(x.describe() + ": each sample has shape " + shape(actual) + " but the model's input is "
                    + shape(expected) + hint);
        }
        float[] values = x.readFloats(from, to);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new TrainerException(x.file() + ": sample " + (from + i / x.rowElements()) + " contains " + values[i]
                        + "; replace NaN/Inf before training (e.g. numpy.nan_to_num)");
            }
        }
        long[] shape = x.shape();
        shape[0] = to - from;
        return Nd4j.create(values, shape, 'c');
    }

    static INDArray labels(TrainableModel model, NpyArray y, long from, long to) throws TrainerException {
        int outputs = model.outputSize();
        String loss = model.facts().lossName();
        float[] values = y.readFloats(from, to);
        int rows = (int) (to - from);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new TrainerException(y.file() + ": label " + (from + i / y.rowElements()) + " is " + values[i]);
            }
        }
        boolean classIds = y.rowElements() == 1 && (loss.equals("sparse_categorical_crossentropy")
                || (loss.equals("categorical_crossentropy") && outputs > 1));
        if (classIds) {
            for (int i = 0; i < rows; i++) {
                float v = values[i];
                if (v != Math.rint(v) || v < 0 || v >= outputs) {
                    throw new TrainerException(y.file() + ": label " + (from + i) + " is " + formatLabel(v) + " but the model has "
                            + outputs + " classes (ids 0-" + (outputs - 1) + ")");
                }
            }
            if (loss.equals("sparse_categorical_crossentropy")) {
                return Nd4j.create(values, new long[] { rows, 1 }, 'c');
            }
            float[] oneHot = new float[rows * outputs];
            for (int i = 0; i < rows; i++) {
                oneHot[i * outputs + (int) values[i]] = 1f;
            }
            return Nd4j.create(oneHot, new long[] { rows, outputs }, 'c');
        }
        if (y.rowElements() != outputs) {
            throw new TrainerException(y.describe() + ": each label has " + y.rowElements() + " values but the model outputs "
                    + outputs + (outputs > 1 && y.rowElements() == 1
                            ? "; with class ids use loss 'sparse_categorical_crossentropy' or 'categorical_crossentropy'" : ""));
        }
        return Nd4j.create(values, new long[] { rows, outputs }, 'c');
    }

    private static boolean matches(long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 0 && expected[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    private static String shape(long[] dims) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? "any" : Long.toString(dims[i]));
        }
        return s.append(")").toString();
    }

    private static String formatLabel(float v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v);
    }
}
