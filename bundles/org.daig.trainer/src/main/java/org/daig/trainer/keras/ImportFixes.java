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
 */
final class ImportFixes {

    private static final Map<String, String> REPLACEMENTS = Map.of("Orthogonal", "GlorotUniform", "orthogonal", "glorot_uniform");

    private ImportFixes() {
    }

    static JsonObject apply(JsonObject modelConfig) {
        JsonObject copy = modelConfig.deepCopy();
        replaceInitializers(copy);
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
}
