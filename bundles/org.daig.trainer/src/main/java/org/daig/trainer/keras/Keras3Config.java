package org.daig.trainer.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Rewrites a Keras 3 model configuration in the Keras 2 dialect Deeplearning4j's importer reads.
 * The two differ in form, not in meaning: Keras 3 wraps dtypes, initializers and the like in
 * {module, class_name, config, registered_name} objects, names the input shape batch_shape, keeps
 * Functional connections as {@code __keras_tensor__} objects with a keras_history, and writes
 * input_layers/output_layers as one triple or a list of them.
 */
final class Keras3Config {

    /** Layers this import handles (DL4J's Keras import, plus GRU as a custom layer). */
    static final Set<String> LAYERS = Set.of("InputLayer", "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Conv1D", "Conv2D",
            "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
            "GlobalMaxPooling1D", "GlobalMaxPooling2D", "BatchNormalization", "Embedding", "SimpleRNN", "LSTM", "GRU", "ReLU",
            "LeakyReLU", "ELU", "Softmax", "Bidirectional", "Add", "Concatenate", "SpatialDropout1D", "SpatialDropout2D", "ZeroPadding1D",
            "ZeroPadding2D", "UpSampling1D", "UpSampling2D", "Cropping1D", "Cropping2D", "Permute", "RepeatVector", "Subtract",
            "Multiply", "Average", "Maximum", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Masking", "PReLU", "LayerNormalization",
            "Normalization");
    private static final Set<String> WRAPPERS = Set.of("module", "registered_name", "shared_object_id", "build_config");

    private Keras3Config() {
    }

    /** The model config (class_name Sequential or Functional, config) in the Keras 2 dialect. */
    static JsonObject toKeras2(JsonObject model) throws KerasFormatException {
        String modelClass = string(model, "class_name");
        if (!"Sequential".equals(modelClass) && !"Functional".equals(modelClass) && !"Model".equals(modelClass)) {
            throw new KerasFormatException("its model class is '" + modelClass + "'; DAIG imports Sequential and Functional models "
                    + "(a subclassed model cannot be rebuilt from its configuration)");
        }
        JsonObject config = model.getAsJsonObject("config");
        JsonArray layers = config == null ? null : config.getAsJsonArray("layers");
        if (layers == null) {
            throw new KerasFormatException("its config.json has no layer list (config.layers)");
        }
        JsonArray converted = new JsonArray();
        for (JsonElement element : layers) {
            JsonObject layer = element.getAsJsonObject();
            String className = string(layer, "class_name");
            if (!LAYERS.contains(className)) {
                String name = layer.has("config") ? string(layer.getAsJsonObject("config"), "name") : "?";
                throw new KerasFormatException("layer '" + name + "' is a " + className + ", which DAIG cannot import yet; supported: "
                        + String.join(", ", new java.util.TreeSet<>(LAYERS)));
            }
            if (className.equals("Bidirectional")) {
                checkBidirectional(layer.getAsJsonObject("config"));
            }
            converted.add(layer(layer));
        }
        JsonObject result = new JsonObject();
        result.addProperty("class_name", "Sequential".equals(modelClass) ? "Sequential" : "Model");
        JsonObject newConfig = new JsonObject();
        newConfig.addProperty("name", string(config, "name"));
        newConfig.add("layers", converted);
        if (!"Sequential".equals(modelClass)) {
            newConfig.add("input_layers", triples(config.get("input_layers")));
            newConfig.add("output_layers", triples(config.get("output_layers")));
        }
        result.add("config", newConfig);
        return result;
    }

    private static JsonObject layer(JsonObject layer) {
        JsonObject converted = new JsonObject();
        String className = string(layer, "class_name");
        converted.addProperty("class_name", className);
        JsonObject config = (JsonObject) unwrap(layer.getAsJsonObject("config"));
        if (config.has("batch_shape")) {
            config.add("batch_input_shape", config.remove("batch_shape"));
        }
        if (config.has("dtype") && !config.get("dtype").isJsonPrimitive()) {
            config.addProperty("dtype", "float32");
        }
        if (className.equals("Bidirectional")) {
            // DL4J rebuilds the backward layer from the forward one (checked to match in checkBidirectional)
            config.remove("backward_layer");
            config.add("layer", layer(layer.getAsJsonObject("config").getAsJsonObject("layer")));
        }
        if (className.equals("Embedding") && !config.has("input_length")) {
            config.add("input_length", JsonNull.INSTANCE);
        }
        converted.addProperty("name", string(config, "name"));
        converted.add("config", config);
        if (layer.has("inbound_nodes")) {
            converted.add("inbound_nodes", inboundNodes(layer.getAsJsonArray("inbound_nodes")));
        }
        return converted;
    }

    /** Recurrent layers Deeplearning4j's Bidirectional wrapper takes. */
    static final Set<String> BIDIRECTIONAL_INNER = Set.of("LSTM", "SimpleRNN");

    /**
     * A Bidirectional layer DL4J can rebuild: an LSTM or SimpleRNN inside, a merge mode, and a
     * backward layer that is the forward one run backwards. DL4J finds the two directions' weights
     * by the words forward and backward in their paths, so the layer's own name must not hold them.
     */
    private static void checkBidirectional(JsonObject config) throws KerasFormatException {
        String name = string(config, "name");
        JsonObject inner = config.getAsJsonObject("layer");
        String innerClass = string(inner, "class_name");
        if (!BIDIRECTIONAL_INNER.contains(innerClass)) {
            throw new KerasFormatException("layer '" + name + "' is a Bidirectional " + innerClass + "; DAIG imports Bidirectional LSTM "
                    + "and SimpleRNN layers");
        }
        String merge = string(config, "merge_mode");
        if (!Set.of("concat", "sum", "mul", "ave").contains(String.valueOf(merge))) {
            throw new KerasFormatException("layer '" + name + "' (Bidirectional) has merge_mode " + merge + "; DAIG imports concat, sum, "
                    + "mul and ave");
        }
        JsonObject backward = config.getAsJsonObject("backward_layer");
        if (backward != null) {
            JsonObject f = inner.getAsJsonObject("config");
            JsonObject b = backward.getAsJsonObject("config");
            if (!innerClass.equals(string(backward, "class_name")) || !String.valueOf(f.get("units")).equals(String.valueOf(b.get("units")))
                    || !String.valueOf(f.get("activation")).equals(String.valueOf(b.get("activation")))) {
                throw new KerasFormatException("layer '" + name + "' (Bidirectional) has a backward layer unlike its forward one; DAIG "
                        + "imports Bidirectional layers whose backward layer is the forward one run backwards");
            }
        }
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.contains("forward") || lower.contains("backward")) {
            throw new KerasFormatException("layer '" + name + "' (Bidirectional) has 'forward' or 'backward' in its name, which "
                    + "Deeplearning4j's import confuses with its two directions; rename the layer (e.g. 'bidirectional') and save again");
        }
    }

    /** Drops Keras 3's {module, registered_name, ...} wrapping, recursively; dtype policies become their name. */
    private static JsonElement unwrap(JsonElement element) {
        if (element.isJsonArray()) {
            JsonArray copy = new JsonArray();
            element.getAsJsonArray().forEach(e -> copy.add(unwrap(e)));
            return copy;
        }
        if (!element.isJsonObject()) {
            return element;
        }
        JsonObject object = element.getAsJsonObject();
        if ("DTypePolicy".equals(string(object, "class_name")) || "FloatDTypePolicy".equals(string(object, "class_name"))) {
            return new JsonPrimitive("float32");
        }
        JsonObject copy = new JsonObject();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            if (!WRAPPERS.contains(entry.getKey())) {
                copy.add(entry.getKey(), unwrap(entry.getValue()));
            }
        }
        return copy;
    }

    /**
     * Keras 3: [{"args": [tensor or list of tensors], "kwargs": {...}}] per call, a tensor being
     * {"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, index]}}.
     * Keras 2: [[[layer, node, index, {}], ...]] per call.
     */
    private static JsonArray inboundNodes(JsonArray nodes) {
        JsonArray result = new JsonArray();
        for (JsonElement node : nodes) {
            JsonArray call = new JsonArray();
            if (node.isJsonObject()) {
                collectTensors(node.getAsJsonObject().get("args"), call);
            } else {
                return nodes.deepCopy(); // already Keras 2 form
            }
            result.add(call);
        }
        return result;
    }

    private static void collectTensors(JsonElement element, JsonArray into) {
        if (element == null) {
            return;
        }
        if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(e -> collectTensors(e, into));
            return;
        }
        if (element.isJsonObject() && "__keras_tensor__".equals(string(element.getAsJsonObject(), "class_name"))) {
            JsonArray history = element.getAsJsonObject().getAsJsonObject("config").getAsJsonArray("keras_history");
            JsonArray entry = history.deepCopy();
            entry.add(new JsonObject());
            into.add(entry);
        }
    }

    /** One [layer, node, index] triple or a list of them, as a list. */
    private static JsonArray triples(JsonElement element) {
        JsonArray result = new JsonArray();
        if (element == null || !element.isJsonArray() || element.getAsJsonArray().isEmpty()) {
            return result;
        }
        JsonArray array = element.getAsJsonArray();
        if (array.get(0).isJsonPrimitive()) {
            result.add(array.deepCopy());
        } else {
            array.forEach(e -> result.add(e.deepCopy()));
        }
        return result;
    }

    /** Keras's snake_case of a class name (the weight groups of a .keras file are named by it). */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(Locale.ROOT);
    }

    /** The layers of a model config (Keras 2 or 3), in config order. */
    static List<JsonObject> layers(JsonObject model) {
        JsonElement config = model.get("config");
        JsonArray layers = config.isJsonArray() ? config.getAsJsonArray() : config.getAsJsonObject().getAsJsonArray("layers");
        List<JsonObject> result = new ArrayList<>();
        layers.forEach(l -> result.add(l.getAsJsonObject()));
        return result;
    }

    static String string(JsonObject object, String key) {
        JsonElement value = object == null ? null : object.get(key);
        return value == null || value.isJsonNull() || !value.isJsonPrimitive() ? null : value.getAsString();
    }

    /** A problem with a Keras file's content, said without the file name (the caller adds it). */
    static final class KerasFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        KerasFormatException(String message) {
            super(message);
        }
    }
}
