package org.daig.trainer.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.daig.trainer.TrainerException;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * What a Keras .h5 file says about itself, checked before Deeplearning4j sees it. DL4J imports
 * some files it cannot train (no training config: silently SGD and no loss) or fails on them with
 * a NullPointerException (loss saved as an object); these checks turn every such case into a
 * message that names the file and the fix.
 */
public final class KerasModelFile implements ModelFacts {

    private static final byte[] HDF5_SIGNATURE = { (byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    /** Optimizers DL4J 1.0.0-M2.1's Keras import maps. */
    static final Set<String> OPTIMIZERS = Set.of("SGD", "Adam", "Adamax", "Adadelta", "Adagrad", "RMSprop", "Nadam");
    /** Losses DL4J 1.0.0-M2.1's Keras import maps (Keras names and aliases). */
    static final Set<String> LOSSES = Set.of("mean_squared_error", "mse", "mean_absolute_error", "mae",
            "mean_absolute_percentage_error", "mape", "mean_squared_logarithmic_error", "msle", "squared_hinge", "hinge",
            "categorical_hinge", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
            "kullback_leibler_divergence", "kld", "poisson", "cosine_proximity", "cosine_similarity", "logcosh");
    private static final Set<String> NESTED_MODELS = Set.of("Functional", "Model", "Sequential");

    static {
        // The HDF5 library prints its whole error stack to stderr on a bad file; our message says it better.
        org.bytedeco.hdf5.global.hdf5.H5Eset_auto2(org.bytedeco.hdf5.global.hdf5.H5E_DEFAULT, null, null);
    }

    private final Path file;
    private final String kerasVersion;
    private final String backend;
    private final JsonObject modelConfig;
    private final JsonObject trainingConfig;

    private KerasModelFile(Path file, String kerasVersion, String backend, JsonObject modelConfig, JsonObject trainingConfig) {
        this.file = file;
        this.kerasVersion = kerasVersion;
        this.backend = backend;
        this.modelConfig = modelConfig;
        this.trainingConfig = trainingConfig;
    }

    /** Reads and checks a model file; every problem found is in the exception's message. */
    public static KerasModelFile read(Path file) throws TrainerException {
        checkContainer(file);
        String version;
        String backend;
        JsonObject model;
        JsonObject training;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            version = archive.hasAttribute("keras_version") ? archive.readAttributeAsString("keras_version") : null;
            backend = archive.hasAttribute("backend") ? archive.readAttributeAsString("backend") : null;
            if (!archive.hasAttribute("model_config")) {
                throw new TrainerException(file + ": has no model_config: it holds weights only (model.save_weights). "
                        + "Save the whole model with model.save('model.h5') after model.compile(...)");
            }
            model = parse(file, "model_config", archive.readAttributeAsJson("model_config"));
            training = archive.hasAttribute("training_config")
                    ? parse(file, "training_config", archive.readAttributeAsJson("training_config")) : null;
        } catch (TrainerException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            throw new TrainerException(file + ": cannot be read as a Keras HDF5 model (" + rootMessage(e)
                    + "). The file may be truncated or damaged: save it again with model.save('model.h5')", e);
        }
        KerasModelFile result = new KerasModelFile(file, version, backend, model, training);
        result.check();
        return result;
    }

    private static void checkContainer(Path file) throws TrainerException {
        if (!Files.isRegularFile(file)) {
            throw new TrainerException(file + ": no such file");
        }
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 8);
            if (n >= 2 && head[0] == 'P' && head[1] == 'K') {
                throw new TrainerException(file + ": is a zip archive, i.e. a Keras 3 '.keras' file. DAIG reads Keras 2 HDF5 "
                        + "files: save with Keras 2 / tf.keras 2.x as model.save('model.h5')");
            }
            if (n < 8 || !Arrays.equals(head, HDF5_SIGNATURE)) {
                throw new TrainerException(file + ": is not an HDF5 file. Save the model with model.save('model.h5') "
                        + "(Keras 2 / tf.keras 2.x)");
            }
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private void check() throws TrainerException {
        List<String> problems = new ArrayList<>();
        if (kerasVersion != null) {
            String major = kerasVersion.split("\\.")[0];
            if (major.equals("1")) {
                problems.add("it was saved by Keras " + kerasVersion + "; Keras 1 files are not supported: load it in Keras 2 "
                        + "and save it again with model.save('model.h5')");
            } else if (!major.equals("2")) {
                problems.add("it was saved by Keras " + kerasVersion + "; only Keras 2 HDF5 files are supported: save it with "
                        + "Keras 2 / tf.keras 2.x, or with tf_keras (the Keras 2 package) under TensorFlow 2.16+");
            }
        }
        for (String nested : nestedModels()) {
            problems.add("layer '" + nested + "' is itself a model (a nested tf.keras Functional/Sequential), which "
                    + "Deeplearning4j cannot import: rebuild the model with the inner model's layers inlined");
        }
        if (trainingConfig == null) {
            problems.add("it has no training configuration, so it cannot be trained. Call model.compile(optimizer=..., "
                    + "loss=...) before model.save('model.h5')");
        } else {
            JsonElement loss = trainingConfig.get("loss");
            if (loss == null || loss.isJsonNull()) {
                problems.add("its training configuration has no loss: compile with loss='...' before saving");
            } else if (!loss.isJsonPrimitive()) {
                problems.add("its loss was saved as an object (" + brief(loss) + "); compile with the loss's name, e.g. "
                        + "loss='categorical_crossentropy', and save again");
            } else if (!LOSSES.contains(loss.getAsString())) {
                problems.add("its loss '" + loss.getAsString() + "' is not supported; supported: " + String.join(", ", sorted(LOSSES)));
            }
            String optimizer = optimizerName();
            if (optimizer == null) {
                problems.add("its training configuration names no optimizer");
            } else if (!OPTIMIZERS.contains(optimizer)) {
                problems.add("its optimizer '" + optimizer + "' is not supported; use one of " + String.join(", ", sorted(OPTIMIZERS)));
            }
        }
        if (!problems.isEmpty()) {
            throw new TrainerException(file + ": " + String.join("; ", problems));
        }
    }

    private List<String> nestedModels() {
        List<String> nested = new ArrayList<>();
        JsonElement layers = modelConfig.has("config") && modelConfig.get("config").isJsonObject()
                ? modelConfig.getAsJsonObject("config").get("layers")
                : modelConfig.get("config");
        if (layers != null && layers.isJsonArray()) {
            for (JsonElement layer : layers.getAsJsonArray()) {
                if (layer.isJsonObject() && NESTED_MODELS.contains(string(layer.getAsJsonObject(), "class_name"))) {
                    JsonObject config = layer.getAsJsonObject().getAsJsonObject("config");
                    nested.add(config != null && config.has("name") ? config.get("name").getAsString() : "?");
                }
            }
        }
        return nested;
    }

    public Path file() {
        return file;
    }

    @Override
    public String kerasVersion() {
        return kerasVersion == null ? "unknown" : kerasVersion;
    }

    public String backend() {
        return backend == null ? "unknown" : backend;
    }

    /** Sequential or functional (Model / Functional). */
    @Override
    public boolean isSequential() {
        return "Sequential".equals(string(modelConfig, "class_name"));
    }

    @Override
    public String modelClass() {
        return string(modelConfig, "class_name");
    }

    @Override
    public String lossName() {
        return trainingConfig.get("loss").getAsString();
    }

    @Override
    public String optimizerName() {
        if (trainingConfig == null || !trainingConfig.has("optimizer_config")) {
            return null;
        }
        return string(trainingConfig.getAsJsonObject("optimizer_config"), "class_name");
    }

    /** The input shape without the batch dimension, -1 for a free dimension; null if the file does not say. */
    @Override
    public long[] inputShape() {
        JsonElement layers = isSequential() ? sequentialLayers() : modelConfig.getAsJsonObject("config").get("layers");
        if (layers == null || !layers.isJsonArray() || layers.getAsJsonArray().isEmpty()) {
            return null;
        }
        JsonObject first = layers.getAsJsonArray().get(0).getAsJsonObject().getAsJsonObject("config");
        JsonElement batchShape = first.get("batch_input_shape");
        if (batchShape == null || !batchShape.isJsonArray()) {
            return null;
        }
        JsonArray dims = batchShape.getAsJsonArray();
        long[] shape = new long[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            shape[i - 1] = dims.get(i).isJsonNull() ? -1 : dims.get(i).getAsLong();
        }
        return shape;
    }

    private JsonElement sequentialLayers() {
        JsonElement config = modelConfig.get("config");
        return config.isJsonArray() ? config : config.getAsJsonObject().get("layers");
    }

    public JsonObject modelConfig() {
        return modelConfig.deepCopy();
    }

    public JsonObject trainingConfig() {
        return trainingConfig.deepCopy();
    }

    private static JsonObject parse(Path file, String what, String json) throws TrainerException {
        // HDF5 fixed-length strings may carry padding after the JSON: read the first value only.
        try (com.google.gson.stream.JsonReader reader = new com.google.gson.stream.JsonReader(
                new java.io.StringReader(json.replace('\u0000', ' ').trim()))) {
            return JsonParser.parseReader(reader).getAsJsonObject();
        } catch (RuntimeException | IOException e) {
            throw new TrainerException(file + ": its " + what + " is not valid JSON; save the model again", e);
        }
    }

    private static String string(JsonObject object, String key) {
        JsonElement value = object == null ? null : object.get(key);
        return value == null || value.isJsonNull() ? null : value.getAsString();
    }

    private static String brief(JsonElement element) {
        String s = element.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted().toList();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
