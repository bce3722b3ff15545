package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.daig.trainer.SharedData;
import org.daig.trainer.data.NpyArray;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Real Keras 2 files from ../shared/data/keras import and reproduce Keras's own outputs. */
class KerasImportTest {

    @ParameterizedTest
    @ValueSource(strings = { "simple_mlp.h5", "simple_functional_mlp.h5", "cnn_batch_norm/cnn_batch_norm.h5",
            "dense_tensorflow_2.h5", "ReLU_0_model.h5", "simple_lstm_tf_keras_2_model.h5" })
    void everySharedModelImportsWithItsTrainingConfiguration(String name) throws Exception {
        TrainableModel model = TrainableModel.load(SharedData.file("keras/" + name));
        assertTrue(model.numParams() > 0, name);
    }

    @Test
    void cnnWithBatchNormReproducesKerasPredictions() throws Exception {
        TrainableModel model = TrainableModel.load(SharedData.file("keras/cnn_batch_norm/cnn_batch_norm.h5"));
        INDArray input = read(SharedData.file("keras/cnn_batch_norm/input.npy"));
        INDArray expected = read(SharedData.file("keras/cnn_batch_norm/predictions.npy"));
        INDArray actual = model.output(input);
        assertArrayEquals(expected.shape(), actual.shape());
        assertTrue(expected.equalsWithEps(actual, 1e-4), "expected " + expected + " got " + actual);
    }

    /** Conv2D and BatchNormalization weights survive export to Keras .h5 and re-import, after training. */
    @Test
    void aTrainedCnnWithBatchNormRoundTripsThroughKerasExport(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        TrainableModel model = TrainableModel.load(SharedData.file("keras/cnn_batch_norm/cnn_batch_norm.h5"));
        INDArray input = read(SharedData.file("keras/cnn_batch_norm/input.npy"));
        INDArray target = read(SharedData.file("keras/cnn_batch_norm/predictions.npy")).mul(2);
        for (int i = 0; i < 5; i++) {
            model.fit(new org.nd4j.linalg.dataset.DataSet(input, target)); // moves weights and batch-norm statistics
        }
        INDArray trained = model.output(input);
        Path exported = dir.resolve("cnn.h5");
        KerasExport.write(model, exported);
        INDArray reloaded = TrainableModel.load(exported).output(input);
        assertTrue(trained.equalsWithEps(reloaded, 1e-5), "trained " + trained + " re-imported " + reloaded);
        INDArray original = TrainableModel.load(SharedData.file("keras/cnn_batch_norm/cnn_batch_norm.h5")).output(input);
        assertTrue(!original.equalsWithEps(trained, 1e-6), "training changed the model, so the check means something");
    }

    @Test
    void reluModelReproducesKerasPredictions() throws Exception {
        Path file = SharedData.file("keras/ReLU_0_inputs_and_outputs.h5");
        INDArray inputs = dataSet(file, "inputs", "dense_input");
        INDArray predictions = dataSet(file, "predictions", "re_lu_1");
        TrainableModel model = TrainableModel.load(SharedData.file("keras/ReLU_0_model.h5"));
        INDArray actual = model.output(inputs.castTo(DataType.FLOAT));
        assertEquals(predictions.length(), actual.length());
        assertTrue(predictions.castTo(DataType.FLOAT).reshape(actual.shape()).equalsWithEps(actual, 1e-4),
                "expected " + predictions + " got " + actual);
    }

    /**
     * The LSTM file used to kill the JVM (orthogonal recurrent initializer in DL4J's pre-import
     * init, see ImportFixes); now it imports, predicts and trains on the data stored with it
     * (its "outputs" are training targets, not Keras predictions, so the check is that it learns).
     */
    @Test
    void lstmImportsAndTrains() throws Exception {
        Path file = SharedData.file("keras/simple_lstm_tf_keras_2_inputs_and_outputs.h5");
        INDArray inputs = dataSet(file, "inputs", "lstm_1_input").castTo(DataType.FLOAT);
        INDArray targets = dataSet(file, "outputs", "dense_1").castTo(DataType.FLOAT);
        Nd4j.getRandom().setSeed(1);
        TrainableModel model = TrainableModel.load(SharedData.file("keras/simple_lstm_tf_keras_2_model.h5"));
        INDArray predicted = model.output(inputs);
        assertEquals(targets.length(), predicted.length());
        for (float v : predicted.dup().data().asFloat()) {
            assertTrue(Float.isFinite(v), "prediction " + v);
        }
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(inputs, targets.reshape(predicted.shape()));
        double before = model.loss(data);
        for (int i = 0; i < 50; i++) {
            model.fit(data);
        }
        double after = model.loss(data);
        assertTrue(after < before * 0.9, "loss " + before + " -> " + after);
    }

    /** The trained LSTM goes back to Keras .h5 (gates reordered to Keras's i, f, c, o) and predicts the same after re-import. */
    @Test
    void aTrainedLstmRoundTripsThroughKerasExport(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = SharedData.file("keras/simple_lstm_tf_keras_2_inputs_and_outputs.h5");
        INDArray inputs = dataSet(file, "inputs", "lstm_1_input").castTo(DataType.FLOAT);
        INDArray targets = dataSet(file, "outputs", "dense_1").castTo(DataType.FLOAT);
        Nd4j.getRandom().setSeed(2);
        TrainableModel model = TrainableModel.load(SharedData.file("keras/simple_lstm_tf_keras_2_model.h5"));
        INDArray before = model.output(inputs);
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(inputs, targets.reshape(before.shape()));
        for (int i = 0; i < 10; i++) {
            model.fit(data);
        }
        INDArray trained = model.output(inputs);
        assertTrue(!before.equalsWithEps(trained, 1e-6), "training changed the model, so the check means something");
        Path exported = dir.resolve("lstm.h5");
        KerasExport.write(model, exported);
        INDArray reloaded = TrainableModel.load(exported).output(inputs);
        assertTrue(trained.equalsWithEps(reloaded, 1e-5), "trained " + trained + " re-imported " + reloaded);
    }

    /** A dataset Keras's test scripts stored beside a model, e.g. group "inputs", name "dense_input". */
    private static INDArray dataSet(Path file, String group, String name) throws Exception {
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            return archive.readDataSet(name, group);
        }
    }

    private static INDArray read(Path npy) throws Exception {
        try (NpyArray array = NpyArray.open(npy)) {
            return Nd4j.create(array.readFloats(0, array.rows()), array.shape(), 'c');
        }
    }
}
