package org.daig.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.trainer.data.TrainingData;
import org.daig.trainer.keras.KerasMlp;
import org.daig.trainer.keras.TrainableModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** A Keras MLP written by our writer trains on real digits, and its exported .h5 round-trips. */
class TrainLocalTest {

    @Test
    void digitsMlpReachesReferenceAccuracyAndTheExportedModelRoundTrips(@TempDir Path dir) throws Exception {
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        Path testX = SharedData.file("digits/test_x.npy");
        Path testY = SharedData.file("digits/test_y.npy");
        Path model = dir.resolve("mlp.h5");
        new KerasMlp(64, new int[] { 64, 32 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.001)
                .write(model, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainLocal.Result result = TrainLocal.run(model, x, y, 20, 32, testX, testY, 1, dir.resolve("out"),
                new PrintStream(log, true));
        assertTrue(result.testAccuracy() >= 0.95, "test accuracy " + result.testAccuracy() + "\n" + log);

        Path zip = dir.resolve("out/model.zip");
        Path h5 = dir.resolve("out/model.h5");
        assertTrue(Files.size(zip) > 0 && Files.size(h5) > 0);
        TrainableModel reloaded = TrainableModel.load(h5);
        DataSet test = TrainingData.load(reloaded, testX, testY);
        INDArray fromH5 = reloaded.output(test.getFeatures());
        assertTrue(TrainLocal.accuracy(reloaded, test) >= 0.95, "re-imported model keeps its accuracy");
        // The same trained weights, read back through Keras's file layout, give the same outputs.
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork fromZip =
                org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        assertTrue(fromH5.equalsWithEps(fromZip.output(test.getFeatures(), false), 1e-6),
                "exported .h5 and the DL4J zip predict the same");
    }
}
