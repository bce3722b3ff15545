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
 * configuration (a Keras 3 file's in Keras 2 form) with the trained weights. A model with weights
 * in a layer type {@link #kerasWeights} cannot map is refused with a message, and its DL4J zip
 * remains the way to get it. {@link Keras3Export} writes .keras archives with the same weights.
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
            List<KerasH5Writer.Weight> weights = kerasWeights(model, layer);
            if (weights == null) {
                throw new TrainerException(source.file() + ": exporting layer '" + name + "' (" + className + ") to Keras is not "
                        + "supported yet (Dense, Conv1D, Conv2D, BatchNormalization, Embedding, SimpleRNN, LSTM, GRU and Bidirectional "
                        + "are); use the "
                        + "DL4J model zip instead");
            }
            layers.add(new KerasH5Writer.LayerWeights(name, weights));
        }
        KerasH5Writer.write(file, source.modelConfig(), source.trainingConfig(), layers);
    }

    /**
     * A layer's trained weights as Keras keeps them (names with Keras 2's ":0", values in Keras's
     * layout and order); empty for a layer without weights, null for a layer this cannot map.
     */
    static List<KerasH5Writer.Weight> kerasWeights(TrainableModel model, JsonObject layer) {
        String className = layer.get("class_name").getAsString();
        String name = layer.getAsJsonObject("config").get("name").getAsString();
        if (className.equals("Normalization")) {
            return normalization(model, name);
        }
        Map<String, INDArray> params = params(model, name);
        if (params == null || params.isEmpty()) {
            return List.of();
        }
        if (className.equals("Bidirectional")) {
            return bidirectional(params, layer.getAsJsonObject("config").getAsJsonObject("layer").get("class_name").getAsString());
        }
        return kerasWeights(className, params);
    }

    /**
     * DL4J's Bidirectional keeps the two copies' parameters as f+name and b+name; Keras lists the
     * forward layer's weights, then the backward one's.
     */
    private static List<KerasH5Writer.Weight> bidirectional(Map<String, INDArray> params, String innerClass) {
        List<KerasH5Writer.Weight> weights = new ArrayList<>();
        for (String direction : new String[] { "forward", "backward" }) {
            Map<String, INDArray> one = new java.util.HashMap<>();
            params.forEach((key, value) -> {
                if (key.startsWith(direction.substring(0, 1))) {
                    one.put(key.substring(1), value);
                }
            });
            List<KerasH5Writer.Weight> inner = kerasWeights(innerClass, one);
            if (inner == null) {
                return null;
            }
            String prefix = direction + "_" + Keras3Config.snakeCase(innerClass) + "/";
            inner.forEach(w -> weights.add(new KerasH5Writer.Weight(prefix + w.name(), w.shape(), w.values())));
        }
        return weights;
    }

    private static List<KerasH5Writer.Weight> kerasWeights(String className, Map<String, INDArray> params) {
        return switch (className) {
        // DL4J W is [nIn, nOut] like Keras's kernel; DAIG's Conv1D keeps Keras's [k, in, out]
        case "Dense", "Conv1D" -> withBias(weight("kernel:0", params.get("W")), params);
        // DL4J W is [out, in, kH, kW]; Keras's kernel is [kH, kW, in, out]
        case "Conv2D" -> withBias(weight("kernel:0", params.get("W").permute(2, 3, 1, 0)), params);
        case "Embedding" -> List.of(weight("embeddings:0", params.get("W")));
        case "LayerNormalization" -> {
            List<KerasH5Writer.Weight> weights = new ArrayList<>();
            if (params.containsKey("gamma")) {
                weights.add(vector("gamma:0", params.get("gamma")));
            }
            if (params.containsKey("beta")) {
                weights.add(vector("beta:0", params.get("beta")));
            }
            yield weights;
        }
        case "BatchNormalization" -> {
            List<KerasH5Writer.Weight> weights = new ArrayList<>();
            if (params.containsKey("gamma")) {
                weights.add(vector("gamma:0", params.get("gamma")));
            }
            if (params.containsKey("beta")) {
                weights.add(vector("beta:0", params.get("beta")));
            }
            weights.add(vector("moving_mean:0", params.get("mean")));
            weights.add(vector("moving_variance:0", params.get("var")));
            yield weights;
        }
        case "LSTM" -> List.of(weight("kernel:0", kerasGateOrder(params.get("W"))),
                weight("recurrent_kernel:0", kerasGateOrder(params.get("RW"))),
                vector("bias:0", kerasGateOrder(params.get("b").reshape(1, params.get("b").length()))));
        // SimpleRNN: DL4J's W, RW and b are Keras's kernel, recurrent_kernel and bias; GRU: DAIG's layer keeps Keras's
        case "SimpleRNN" -> List.of(weight("kernel:0", params.get("W")), weight("recurrent_kernel:0", params.get("RW")),
                vector("bias:0", params.get("b")));
        case "GRU" -> List.of(weight("kernel:0", params.get("W")), weight("recurrent_kernel:0", params.get("RW")),
                params.get("b").size(0) == 1 ? vector("bias:0", params.get("b")) : weight("bias:0", params.get("b")));
        default -> null;
        };
    }

    /** A Normalization layer's constants, as the file had them (training does not change them). */
    private static List<KerasH5Writer.Weight> normalization(TrainableModel model, String name) {
        org.deeplearning4j.nn.api.Layer layer = model.network() != null ? model.network().getLayer(name) : model.graph().getLayer(name);
        NormalizationLayer config = (NormalizationLayer) layer.conf().getLayer();
        return List.of(vector("mean:0", Nd4j.createFromArray(config.mean())), vector("variance:0", Nd4j.createFromArray(config.variance())));
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
