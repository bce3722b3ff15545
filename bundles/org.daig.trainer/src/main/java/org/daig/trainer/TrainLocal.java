package org.daig.trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.daig.trainer.data.TrainingData;
import org.daig.trainer.keras.KerasExport;
import org.daig.trainer.keras.TrainableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain single-process training: the baseline a distributed run is measured against. One epoch
 * is one pass over the data, shuffled with the seed, in minibatches of the given size.
 */
public final class TrainLocal {

    /** What a run produced. */
    public record Result(double trainLoss, double testLoss, double testAccuracy, double seconds, long steps) {
    }

    private TrainLocal() {
    }

    public static Result run(Path modelFile, Path x, Path y, int epochs, int batch, Path testX, Path testY, long seed,
            Path outDir, PrintStream out) throws TrainerException, IOException {
        return run(modelFile, org.daig.trainer.keras.CompileSettings.FROM_FILE, x, y, epochs, batch, testX, testY, seed, outDir, out);
    }

    /** Trains {@code modelFile} compiled with {@code compile} where it names something (see CompileSettings). */
    public static Result run(Path modelFile, org.daig.trainer.keras.CompileSettings compile, Path x, Path y, int epochs, int batch,
            Path testX, Path testY, long seed, Path outDir, PrintStream out) throws TrainerException, IOException {
        if (epochs < 1) {
            throw new TrainerException("--epochs must be at least 1");
        }
        if (batch < 1) {
            throw new TrainerException("--batch must be at least 1");
        }
        Nd4j.getRandom().setSeed(seed);
        TrainableModel model = TrainableModel.load(modelFile, compile);
        DataSet train = TrainingData.load(model, x, y);
        DataSet test = testX == null ? null : TrainingData.load(model, testX, testY);
        out.printf("training %s: %,d parameters, %,d samples, %d epochs, batch %d, seed %d%n", modelFile.getFileName(),
                model.numParams(), train.numExamples(), epochs, batch, seed);
        long start = System.nanoTime();
        long steps = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            steps += fitEpoch(model, train, batch, seed + epoch);
            out.printf("epoch %d/%d: loss %.4f%s (%.1f s)%n", epoch, epochs, model.loss(train),
                    test == null ? "" : String.format(", test accuracy %.4f", accuracy(model, test)),
                    (System.nanoTime() - start) / 1e9);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Result result = new Result(model.loss(train), test == null ? Double.NaN : model.loss(test),
                test == null ? Double.NaN : accuracy(model, test), seconds, steps);
        out.printf("done in %.1f s (%.2f ms/step): train loss %.4f%s%n", seconds, seconds * 1000 / steps, result.trainLoss(),
                test == null ? "" : String.format(", test loss %.4f, test accuracy %.4f", result.testLoss(), result.testAccuracy()));
        if (outDir != null) {
            Path zip = outDir.resolve("model.zip");
            Path h5 = outDir.resolve("model.h5");
            java.nio.file.Files.createDirectories(outDir);
            model.saveZip(zip);
            out.println("wrote " + zip);
            try {
                KerasExport.write(model, h5);
                out.println("wrote " + h5);
                if (model.source().isArchive()) { // given back in the format it came in, too
                    Path keras = outDir.resolve("model.keras");
                    org.daig.trainer.keras.Keras3Export.write(model, keras);
                    out.println("wrote " + keras);
                }
            } catch (TrainerException e) {
                out.println("no Keras file: " + e.getMessage());
            }
        }
        return result;
    }

    /**
     * One epoch: the data shuffled with {@code seed}, then one optimizer step per minibatch.
     * The provider's worker runs the same loop on its shard, so local and distributed runs agree.
     *
     * @return the number of steps
     */
    public static long fitEpoch(TrainableModel model, DataSet data, int batch, long seed) {
        DataSet shuffled = data.copy();
        shuffled.shuffle(seed);
        List<DataSet> batches = shuffled.batchBy(batch);
        for (DataSet minibatch : batches) {
            model.fit(minibatch);
        }
        return batches.size();
    }

    /** Fraction of samples whose highest output is the labelled class (one-hot or class-id labels). */
    public static double accuracy(TrainableModel model, DataSet data) {
        INDArray predicted = model.output(data.getFeatures()).argMax(1);
        INDArray labels = data.getLabels();
        INDArray truth = labels.size(1) == 1 ? labels.reshape(labels.size(0)) : labels.argMax(1);
        long correct = 0;
        for (long i = 0; i < predicted.length(); i++) {
            if (predicted.getLong(i) == truth.getLong(i)) {
                correct++;
            }
        }
        return (double) correct / predicted.length();
    }
}
