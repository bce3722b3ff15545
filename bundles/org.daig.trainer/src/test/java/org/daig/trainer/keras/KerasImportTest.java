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
            "dense_tensorflow_2.h5", "ReLU_0_model.h5" })
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

    @Test
    void reluModelReproducesKerasPredictions() throws Exception {
        Path file = SharedData.file("keras/ReLU_0_inputs_and_outputs.h5");
        INDArray inputs;
        INDArray predictions;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            inputs = archive.readDataSet("dense_input", "inputs");
            predictions = archive.readDataSet("re_lu_1", "predictions");
        }
        TrainableModel model = TrainableModel.load(SharedData.file("keras/ReLU_0_model.h5"));
        INDArray actual = model.output(inputs.castTo(DataType.FLOAT));
        assertEquals(predictions.length(), actual.length());
        assertTrue(predictions.castTo(DataType.FLOAT).reshape(actual.shape()).equalsWithEps(actual, 1e-4),
                "expected " + predictions + " got " + actual);
    }

    private static INDArray read(Path npy) throws Exception {
        try (NpyArray array = NpyArray.open(npy)) {
            return Nd4j.create(array.readFloats(0, array.rows()), array.shape(), 'c');
        }
    }
}
