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
 * dropout, which DL4J does not have, is left out of training (so is input dropout inside a
 * Bidirectional layer, which DL4J's cannot backpropagate). A Bidirectional layer that does not
 * return sequences returns them here, followed by a {@link LastStepsLayer} (DL4J's own form cannot
 * train).
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
            JsonObject inner = config == null ? null : config.getAsJsonObject("layer");
            if (inner != null && inner.getAsJsonObject("config") != null) {
                // inside DL4J's Bidirectional, input dropout fails in backprop as well: left out of training too
                inner.getAsJsonObject("config").addProperty("recurrent_dropout", 0.0);
                inner.getAsJsonObject("config").addProperty("dropout", 0.0);
            }
        }
        splitLastStepBidirectionals(copy);
        return copy;
    }

    /**
     * Bidirectional(rnn, return_sequences=False, merge M) becomes Bidirectional(rnn returning
     * sequences, concat) named as before (its weights keep their place) and a LastStepsLayer named
     * {@code <name>_last_steps}, which every later reference to the layer now names.
     */
    private static void splitLastStepBidirectionals(JsonObject model) {
        JsonElement configElement = model.get("config");
        com.google.gson.JsonArray layers = configElement.isJsonArray() ? configElement.getAsJsonArray()
                : configElement.getAsJsonObject().getAsJsonArray("layers");
        Map<String, String> renamed = new java.util.HashMap<>();
        com.google.gson.JsonArray result = new com.google.gson.JsonArray();
        for (JsonElement element : layers) {
            JsonObject layer = element.getAsJsonObject();
            renameInbound(layer, renamed);
            result.add(layer);
            JsonObject config = layer.getAsJsonObject("config");
            if (!"Bidirectional".equals(Keras3Config.string(layer, "class_name")) || config.getAsJsonObject("layer") == null) {
                continue;
            }
            JsonObject inner = config.getAsJsonObject("layer").getAsJsonObject("config");
            if (inner.has("return_sequences") && inner.get("return_sequences").getAsBoolean()) {
                continue;
            }
            String name = Keras3Config.string(config, "name");
            JsonObject stepsConfig = new JsonObject();
            stepsConfig.addProperty("name", name + "_last_steps");
            stepsConfig.add("units", inner.get("units"));
            stepsConfig.add("merge_mode", config.get("merge_mode"));
            inner.addProperty("return_sequences", true);
            config.addProperty("merge_mode", "concat");
            JsonObject steps = new JsonObject();
            steps.addProperty("class_name", KerasLastSteps.CLASS_NAME);
            steps.add("config", stepsConfig);
            if (layer.has("inbound_nodes")) {
                steps.addProperty("name", name + "_last_steps");
                com.google.gson.JsonArray node = new com.google.gson.JsonArray();
                com.google.gson.JsonArray tensor = new com.google.gson.JsonArray();
                tensor.add(name);
                tensor.add(0);
                tensor.add(0);
                tensor.add(new JsonObject());
                node.add(tensor);
                com.google.gson.JsonArray nodes = new com.google.gson.JsonArray();
                nodes.add(node);
                steps.add("inbound_nodes", nodes);
            }
            result.add(steps);
            renamed.put(name, name + "_last_steps");
        }
        if (configElement.isJsonArray()) {
            model.add("config", result);
            return;
        }
        configElement.getAsJsonObject().add("layers", result);
        com.google.gson.JsonArray outputs = configElement.getAsJsonObject().getAsJsonArray("output_layers");
        if (outputs != null) {
            for (JsonElement output : outputs) {
                com.google.gson.JsonArray triple = output.getAsJsonArray();
                if (renamed.containsKey(triple.get(0).getAsString())) {
                    triple.set(0, new JsonPrimitive(renamed.get(triple.get(0).getAsString())));
                }
            }
        }
    }

    /** Keras 2 inbound nodes: [[[layer, node, index, kwargs], ...], ...]. */
    private static void renameInbound(JsonObject layer, Map<String, String> renamed) {
        if (renamed.isEmpty() || !layer.has("inbound_nodes")) {
            return;
        }
        for (JsonElement node : layer.getAsJsonArray("inbound_nodes")) {
            for (JsonElement tensor : node.getAsJsonArray()) {
                com.google.gson.JsonArray t = tensor.getAsJsonArray();
                if (renamed.containsKey(t.get(0).getAsString())) {
                    t.set(0, new JsonPrimitive(renamed.get(t.get(0).getAsString())));
                }
            }
        }
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
