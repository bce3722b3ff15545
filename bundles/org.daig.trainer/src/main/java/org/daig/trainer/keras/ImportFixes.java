package org.daig.trainer.keras;

import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Changes to a model's configuration that DL4J needs to import it and that cannot change the
 * imported model.
 *
 * <p>Orthogonal initializers: DL4J 1.0.0-M2.1 initializes every layer before it copies the file's
 * weights over, and its orthogonal initializer (a native QR op) spins forever or crashes the JVM
 * (SIGSEGV in {@code sd::NDArray::getOffset}) on LSTM recurrent kernels, e.g. Keras's default
 * {@code recurrent_initializer}. The initial values are overwritten by the stored weights anyway,
 * so the initializer is swapped for Glorot uniform before import.
 *
 * <p>Conv1D is imported by DAIG's {@link KerasConv1d} (DL4J's cannot train), and recurrent
 * dropout, which DL4J does not have, is left out of training.
 */
final class ImportFixes {

    private static final Map<String, String> REPLACEMENTS = Map.of("Orthogonal", "GlorotUniform", "orthogonal", "glorot_uniform");

    private ImportFixes() {
    }

    static JsonObject apply(JsonObject modelConfig) {
        JsonObject copy = modelConfig.deepCopy();
        replaceInitializers(copy);
        for (JsonObject layer : Keras3Config.layers(copy)) {
            JsonObject config = layer.getAsJsonObject("config");
            if ("Conv1D".equals(Keras3Config.string(layer, "class_name"))) {
                layer.addProperty("class_name", KerasConv1d.CLASS_NAME);
            }
            // DL4J has no dropout on recurrent connections: the layer trains without it (inference is the same)
            if (config != null && config.has("recurrent_dropout") && config.get("recurrent_dropout").isJsonPrimitive()) {
                config.addProperty("recurrent_dropout", 0.0);
            }
        }
        return copy;
    }

    private static void replaceInitializers(JsonElement element) {
        if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(ImportFixes::replaceInitializers);
            return;
        }
        if (!element.isJsonObject()) {
            return;
        }
        JsonObject object = element.getAsJsonObject();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            JsonElement value = entry.getValue();
            if (entry.getKey().endsWith("_initializer") || entry.getKey().equals("init") || entry.getKey().equals("inner_init")) {
                if (value.isJsonPrimitive() && REPLACEMENTS.containsKey(value.getAsString())) {
                    entry.setValue(new JsonPrimitive(REPLACEMENTS.get(value.getAsString())));
                    continue;
                }
                if (value.isJsonObject() && value.getAsJsonObject().has("class_name")
                        && REPLACEMENTS.containsKey(value.getAsJsonObject().get("class_name").getAsString())) {
                    JsonObject init = value.getAsJsonObject();
                    init.addProperty("class_name", REPLACEMENTS.get(init.get("class_name").getAsString()));
                    init.add("config", new JsonObject());
                    continue;
                }
            }
            replaceInitializers(value);
        }
    }

    /**
     * A loss "from logits" applies its sigmoid or softmax inside the loss; DL4J's losses take the
     * output layer's activation instead. So the output layer, linear in the file, gets that
     * activation here: training is the same, and predictions are probabilities, not logits.
     */
    static void logitsToProbabilities(JsonObject model, String loss, java.nio.file.Path file) throws org.daig.trainer.TrainerException {
        String activation = loss.equals("binary_crossentropy") ? "sigmoid"
                : loss.endsWith("categorical_crossentropy") ? "softmax" : null;
        JsonObject output = outputLayer(model);
        JsonObject config = output == null ? null : output.getAsJsonObject("config");
        if (activation == null || config == null || !config.has("activation") || !"linear".equals(config.get("activation").getAsString())) {
            throw new org.daig.trainer.TrainerException(file + ": its loss " + loss + " takes logits (from_logits=True), which DAIG "
                    + "trains only with a linear Dense output layer; give --loss to train it with another loss");
        }
        config.addProperty("activation", activation);
    }

    private static JsonObject outputLayer(JsonObject model) {
        JsonObject config = model.getAsJsonObject("config");
        com.google.gson.JsonArray layers = config.getAsJsonArray("layers");
        if (!config.has("output_layers")) {
            return layers.get(layers.size() - 1).getAsJsonObject();
        }
        com.google.gson.JsonArray outputs = config.getAsJsonArray("output_layers");
        if (outputs.size() != 1) {
            return null;
        }
        String name = outputs.get(0).getAsJsonArray().get(0).getAsString();
        for (JsonElement layer : layers) {
            if (name.equals(layer.getAsJsonObject().getAsJsonObject("config").get("name").getAsString())) {
                return layer.getAsJsonObject();
            }
        }
        return null;
    }
}
