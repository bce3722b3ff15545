package org.daig.trainer.keras;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.trainer.TrainerException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Writes a trained model back as a Keras 2 .h5: the original file's model and training
 * configuration with the trained weights. Dense layers are mapped today (kernel = DL4J W in C
 * order, bias = b); a model with weights in other layer types is refused with a message, and its
 * DL4J zip remains the way to get it.
 */
public final class KerasExport {

    private KerasExport() {
    }

    public static void write(TrainableModel model, Path file) throws TrainerException, IOException {
        KerasModelFile source = model.source();
        List<KerasH5Writer.LayerWeights> layers = new ArrayList<>();
        for (JsonObject layer : layers(source.modelConfig())) {
            String className = layer.get("class_name").getAsString();
            String name = layer.getAsJsonObject("config").get("name").getAsString();
            Map<String, INDArray> params = params(model, name);
            if (params == null || params.isEmpty()) {
                layers.add(new KerasH5Writer.LayerWeights(name, List.of()));
            } else if (className.equals("Dense")) {
                List<KerasH5Writer.Weight> weights = new ArrayList<>();
                weights.add(weight("kernel:0", params.get("W")));
                if (params.containsKey("b")) {
                    INDArray b = params.get("b");
                    weights.add(new KerasH5Writer.Weight("bias:0", new long[] { b.length() },
                            b.dup('c').castTo(DataType.FLOAT).data().asFloat()));
                }
                layers.add(new KerasH5Writer.LayerWeights(name, weights));
            } else {
                throw new TrainerException(source.file() + ": exporting layer '" + name + "' (" + className
                        + ") to Keras .h5 is not supported yet (Dense layers are); use the DL4J model zip instead");
            }
        }
        KerasH5Writer.write(file, source.modelConfig(), source.trainingConfig(), layers);
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
