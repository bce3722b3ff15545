package org.daig.trainer.keras;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.trainer.TrainerException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Writes a trained model back as a Keras 2 .h5: the original file's model and training
 * configuration with the trained weights. Mapped: Dense, Conv2D (kernel transposed from DL4J's
 * [out, in, kH, kW] to Keras's [kH, kW, in, out]) and BatchNormalization (gamma, beta, moving
 * mean and variance); a model with weights in other layer types is refused with a message, and
 * its DL4J zip remains the way to get it.
 */
public final class KerasExport {

    private KerasExport() {
    }

    public static void write(TrainableModel model, Path file) throws TrainerException, IOException {
        KerasModelFile source = model.source();
        if (source == null) {
            throw new TrainerException("only a model imported from a Keras file can be written as Keras .h5;"
                    + " this one was built from its canonical form");
        }
        List<KerasH5Writer.LayerWeights> layers = new ArrayList<>();
        for (JsonObject layer : layers(source.modelConfig())) {
            String className = layer.get("class_name").getAsString();
            String name = layer.getAsJsonObject("config").get("name").getAsString();
            Map<String, INDArray> params = params(model, name);
            if (params == null || params.isEmpty()) {
                layers.add(new KerasH5Writer.LayerWeights(name, List.of()));
            } else if (className.equals("Dense")) {
                // DL4J W is [nIn, nOut] like Keras's kernel
                layers.add(new KerasH5Writer.LayerWeights(name, withBias(weight("kernel:0", params.get("W")), params)));
            } else if (className.equals("Conv2D")) {
                // DL4J W is [out, in, kH, kW]; Keras's kernel is [kH, kW, in, out]
                layers.add(new KerasH5Writer.LayerWeights(name,
                        withBias(weight("kernel:0", params.get("W").permute(2, 3, 1, 0)), params)));
            } else if (className.equals("BatchNormalization") && params.containsKey("var")) {
                List<KerasH5Writer.Weight> weights = new ArrayList<>();
                if (params.containsKey("gamma")) {
                    weights.add(vector("gamma:0", params.get("gamma")));
                }
                if (params.containsKey("beta")) {
                    weights.add(vector("beta:0", params.get("beta")));
                }
                weights.add(vector("moving_mean:0", params.get("mean")));
                weights.add(vector("moving_variance:0", params.get("var")));
                layers.add(new KerasH5Writer.LayerWeights(name, weights));
            } else if (className.equals("LSTM") && params.containsKey("RW")) {
                layers.add(new KerasH5Writer.LayerWeights(name, List.of(
                        weight("kernel:0", kerasGateOrder(params.get("W"))),
                        weight("recurrent_kernel:0", kerasGateOrder(params.get("RW"))),
                        vector("bias:0", kerasGateOrder(params.get("b").reshape(1, params.get("b").length()))))));
            } else {
                throw new TrainerException(source.file() + ": exporting layer '" + name + "' (" + className
                        + ") to Keras .h5 is not supported yet (Dense, Conv2D, BatchNormalization and LSTM are); use the DL4J model zip instead");
            }
        }
        KerasH5Writer.write(file, source.modelConfig(), source.trainingConfig(), layers);
    }

    /**
     * DL4J keeps an LSTM's four gate blocks (columns) in the order c, f, o, i (its Keras import
     * reorders Keras's i, f, c, o that way); Keras wants i, f, c, o back.
     */
    private static INDArray kerasGateOrder(INDArray dl4j) {
        long n = dl4j.columns() / 4;
        INDArray c = dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n));
        INDArray f = dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n));
        INDArray o = dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, 3 * n));
        INDArray i = dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * n, 4 * n));
        return Nd4j.hstack(i, f, c, o);
    }

    private static List<KerasH5Writer.Weight> withBias(KerasH5Writer.Weight kernel, Map<String, INDArray> params) {
        List<KerasH5Writer.Weight> weights = new ArrayList<>();
        weights.add(kernel);
        if (params.containsKey("b")) {
            weights.add(vector("bias:0", params.get("b")));
        }
        return weights;
    }

    private static KerasH5Writer.Weight vector(String name, INDArray values) {
        return new KerasH5Writer.Weight(name, new long[] { values.length() }, values.dup('c').castTo(DataType.FLOAT).data().asFloat());
    }

    private static KerasH5Writer.Weight weight(String name, INDArray values) {
        return new KerasH5Writer.Weight(name, values.shape(), values.dup('c').castTo(DataType.FLOAT).data().asFloat());
    }

    private static Map<String, INDArray> params(TrainableModel model, String layerName) {
        try {
            if (model.network() != null) {
                return model.network().getLayer(layerName).paramTable();
            }
            return model.graph().getLayer(layerName).paramTable();
        } catch (RuntimeException notInDl4j) {
            return null; // e.g. an InputLayer, which DL4J folds into the input type
        }
    }

    private static List<JsonObject> layers(JsonObject modelConfig) {
        JsonElement config = modelConfig.get("config");
        JsonArray layers = config.isJsonArray() ? config.getAsJsonArray() : config.getAsJsonObject().getAsJsonArray("layers");
        List<JsonObject> result = new ArrayList<>();
        for (JsonElement layer : layers) {
            result.add(layer.getAsJsonObject());
        }
        return result;
    }
}
