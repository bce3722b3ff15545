package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.daig.trainer.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every real Keras 3 file in ../shared/data/keras3 (MANIFEST.tsv) imports with the parameter
 * count and output shape Keras reported, predicts finite values, and trains: a few steps on
 * random data change the weights and keep the loss finite. Files saved without a loss or an
 * optimizer are given them, as a requestor does with --loss and --optimizer.
 */
class Keras3ImportTest {

    static Stream<Arguments> manifest() throws IOException {
        Path manifest = SharedData.file("keras3/MANIFEST.tsv");
        List<Arguments> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            rows.add(Arguments.of(f[0], f[7], f[8], !f[11].equals("-") && !f[12].equals("-"), Long.parseLong(f[13])));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifest")
    void importsPredictsAndTrains(String name, String inputShape, String outputShape, boolean lossAndOptimizer, long params) throws Exception {
        Path file = SharedData.file("keras3/" + name);
        // as a requestor would: name what the file leaves out (the iris model has a loss but no optimizer)
        CompileSettings settings = lossAndOptimizer ? CompileSettings.FROM_FILE : new CompileSettings(null, "adam", 0.001);
        if (name.contains("Synthetic-Patient")) {
            settings = new CompileSettings("mse", "adam", 0.001); // not compiled at all
        }
        TrainableModel model = TrainableModel.load(file, settings);
        assertEquals(params, model.numParams(), "parameters, as Keras counted them");

        Nd4j.getRandom().setSeed(7);
        long[] shape = dims(inputShape, 4);
        INDArray x = input(model, shape);
        INDArray out = model.output(x);
        assertArrayEquals(dims(outputShape, 4), out.shape(), "output shape");
        assertTrue(finite(out), "predictions are finite");

        INDArray before = model.paramsCopy();
        INDArray y = targets(model, out);
        for (int i = 0; i < 2; i++) {
            model.fit(new DataSet(x, y));
        }
        assertTrue(Double.isFinite(model.loss(new DataSet(x, y))), "loss after training");
        assertTrue(!before.equalsWithEps(model.paramsCopy(), 0), "training moved the weights");
    }

    /** Random input of the model's shape; token ids for a model that starts with an Embedding. */
    static INDArray input(TrainableModel model, long[] shape) {
        if (shape[1] == -1) {
            shape[1] = 20; // a free sequence length
        }
        String first = model.summary();
        if (first.contains("Embedding")) {
            return Nd4j.rand(DataType.FLOAT, shape).muli(50).castTo(DataType.INT32).castTo(DataType.FLOAT);
        }
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    /** Targets the model's loss accepts: class ids for sparse categorical, one-hot for categorical, values in [0, 1] otherwise. */
    static INDArray targets(TrainableModel model, INDArray out) {
        String loss = model.facts().lossName();
        if (loss.equals("sparse_categorical_crossentropy")) {
            return Nd4j.zeros(DataType.FLOAT, out.size(0), 1).addi(1);
        }
        if (loss.equals("categorical_crossentropy")) {
            INDArray y = Nd4j.zeros(DataType.FLOAT, out.shape());
            y.getColumn(0).assign(1);
            return y;
        }
        return Nd4j.rand(DataType.FLOAT, out.shape());
    }

    /** "(None, 28, 28, 1)" with the batch dimension set to {@code batch}; None elsewhere is -1. */
    static long[] dims(String tuple, long batch) {
        String[] parts = tuple.replaceAll("[() ]", "").split(",");
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            dims[i] = i == 0 ? batch : parts[i].equals("None") ? -1 : Long.parseLong(parts[i]);
        }
        return dims;
    }

    private static boolean finite(INDArray a) {
        return Arrays.stream(a.dup().castTo(DataType.DOUBLE).data().asDouble()).allMatch(Double::isFinite);
    }
}
