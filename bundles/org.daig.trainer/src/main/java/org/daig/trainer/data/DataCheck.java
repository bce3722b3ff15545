package org.daig.trainer.data;

import java.util.ArrayList;
import java.util.List;

import org.daig.trainer.TrainerException;
import org.daig.trainer.keras.TrainableModel;

/**
 * Checks a whole data set against a model and lists every problem found (one per kind: the first
 * bad sample of the features, the first bad label), reading the files in chunks so a file of any
 * size is checked with bounded memory. The project's pre-flight validation uses it to refuse a
 * project with a complete list rather than the first complaint.
 */
public final class DataCheck {

    /** Values read per chunk. */
    private static final long CHUNK_VALUES = 1 << 22;

    private DataCheck() {
    }

    public static List<String> problems(TrainableModel model, NpyArray x, NpyArray y) {
        List<String> problems = new ArrayList<>();
        if (x.rows() == 0) {
            problems.add(x.file().getFileName() + ": is empty (no samples)");
        }
        if (y.rows() == 0) {
            problems.add(y.file().getFileName() + ": is empty (no labels)");
        }
        if (x.rows() != y.rows()) {
            problems.add(x.file().getFileName() + " has " + x.rows() + " samples but " + y.file().getFileName() + " has " + y.rows()
                    + " labels: they must have the same length");
        }
        if (model == null) {
            return problems;
        }
        boolean featuresOk = true;
        boolean labelsOk = true;
        long rows = Math.min(x.rows(), y.rows());
        long perChunk = Math.max(1, CHUNK_VALUES / Math.max(1, Math.max(x.rowElements(), y.rowElements())));
        for (long start = 0; start < rows && (featuresOk || labelsOk); start += perChunk) {
            long from = start;
            long to = Math.min(rows, start + perChunk);
            if (featuresOk) {
                featuresOk = collect(problems, () -> TrainingData.features(model, x, from, to));
            }
            if (labelsOk) {
                labelsOk = collect(problems, () -> TrainingData.labels(model, y, from, to));
            }
        }
        return problems;
    }

    private interface Step {
        void run() throws TrainerException;
    }

    private static boolean collect(List<String> problems, Step step) {
        try {
            step.run();
            return true;
        } catch (TrainerException e) {
            problems.add(e.getMessage());
            return false;
        }
    }
}
