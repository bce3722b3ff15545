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
public final class KerasModelFile implements ModelFacts, AutoCloseable {

    private static final byte[] HDF5_SIGNATURE = { (byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    /** Optimizers DL4J 1.0.0-M2.1's Keras import maps. */
    static final Set<String> OPTIMIZERS = Set.of("SGD", "Adam", "Adamax", "Adadelta", "Adagrad", "RMSprop", "Nadam");
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
    /** The Keras 3 file this was converted from; null for a Keras 2 file. */
    private final Keras3File keras3;

    private KerasModelFile(Path file, String kerasVersion, String backend, JsonObject modelConfig, JsonObject trainingConfig,
            Keras3File keras3) {
        this.file = file;
        this.kerasVersion = kerasVersion;
        this.backend = backend;
        this.modelConfig = modelConfig;
        this.trainingConfig = trainingConfig;
        this.keras3 = keras3;
    }

    /** Reads and checks a model file, compiled as it says; every problem found is in the exception's message. */
    public static KerasModelFile read(Path file) throws TrainerException {
        return read(file, CompileSettings.FROM_FILE);
    }

    /**
     * Reads and checks a Keras 2 .h5, a Keras 3 .keras or a Keras 3 .h5, trained with
     * {@code settings} where they name something. A Keras 3 file's weights are rewritten to a
     * temporary Keras 2 file ({@link #weightsFile()}) that {@link #close()} deletes.
     */
    public static KerasModelFile read(Path file, CompileSettings settings) throws TrainerException {
        String problem = settings.problem();
        if (problem != null) {
            throw new TrainerException(problem);
        }
        Path temp = tempDir();
        if (isZip(file)) {
            return checked(file, Keras3File.readArchive(file, temp), settings);
        }
        String version;
        String backend;
        JsonObject model;
        JsonObject training;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            version = archive.hasAttribute("keras_version") ? archive.readAttributeAsString("keras_version") : null;
            backend = archive.hasAttribute("backend") ? archive.readAttributeAsString("backend") : null;
            if (!archive.hasAttribute("model_config")) {
                throw new TrainerException(file + ": has no model_config: it holds weights only (model.save_weights). "
                        + "Save the whole model with model.save('model.keras') or model.save('model.h5')");
            }
            model = parse(file, "model_config", archive.readAttributeAsJson("model_config"));
            training = archive.hasAttribute("training_config")
                    ? parse(file, "training_config", archive.readAttributeAsJson("training_config")) : null;
        } catch (TrainerException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            throw new TrainerException(file + ": cannot be read as a Keras HDF5 model (" + rootMessage(e)
                    + "). The file may be truncated or damaged: save it again with model.save('model.keras')", e);
        }
        if (version != null && version.startsWith("3.")) {
            return checked(file, Keras3File.readLegacyH5(file, temp, version, model, training), settings);
        }
        try {
            training = CompileSettings.keras2Loss(training);
        } catch (Keras3Config.KerasFormatException e) {
            throw new TrainerException(file + ": " + e.getMessage());
        }
        KerasModelFile result = new KerasModelFile(file, version, backend, model, settings.applyTo(training), null);
        result.check();
        return result;
    }

    private static KerasModelFile checked(Path file, Keras3File keras3, CompileSettings settings) throws TrainerException {
        KerasModelFile result = new KerasModelFile(file, keras3.kerasVersion, "tensorflow", keras3.modelConfig,
                settings.applyTo(keras3.trainingConfig), keras3);
        try {
            result.check();
        } catch (TrainerException e) {
            result.close();
            throw e;
        }
        return result;
    }

    private static Path tempDir() throws TrainerException {
        try {
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new TrainerException("no temporary directory to unpack a Keras file in: " + e.getMessage(), e);
        }
    }

    private static boolean isZip(Path file) throws TrainerException {
        if (!Files.isRegularFile(file)) {
            throw new TrainerException(file + ": no such file");
        }
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 8);
            if (n >= 2 && head[0] == 'P' && head[1] == 'K') {
                return true;
            }
            if (n < 8 || !Arrays.equals(head, HDF5_SIGNATURE)) {
                throw new TrainerException(file + ": is not an HDF5 file (.h5) nor a zip (.keras). Save the model with "
                        + "model.save('model.keras')");
            }
            return false;
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The HDF5 file holding the weights in Keras 2's layout: the file itself, or a Keras 3 file's conversion. */
    public Path weightsFile() {
        return keras3 == null ? file : keras3.weights;
    }

    /** The Keras version Deeplearning4j is told: 2.x for a converted Keras 3 file. */
    String importVersion() {
        return keras3 == null ? kerasVersion() : KerasH5Writer.KERAS_VERSION;
    }

    /** How many weight values a Keras 3 file holds; -1 for a Keras 2 file (DL4J's import checks those). */
    long weightCount() {
        return keras3 == null ? -1 : keras3.weightCount;
    }

    /** Whether it is a Keras 3 .keras archive (then a trained model is given back as .keras). */
    public boolean isArchive() {
        return keras3 != null && keras3.archive;
    }

    /** The Keras 3 file's own config.json content (model and compile config); null for other files. */
    JsonObject keras3Config() {
        return keras3 == null ? null : keras3.originalConfig.deepCopy();
    }

    /** Whether the loss takes logits: the output layer gets the loss's activation for training. */
    boolean fromLogits() {
        JsonElement logits = trainingConfig == null ? null : trainingConfig.get("from_logits");
        return logits != null && logits.isJsonPrimitive() && logits.getAsBoolean();
    }

    /** The decoupled weight decay the optimizer asks for (AdamW), 0 for none. */
    double weightDecay() {
        JsonElement decay = trainingConfig.getAsJsonObject("optimizer_config").getAsJsonObject("config").get("weight_decay");
        return decay == null || !decay.isJsonPrimitive() ? 0 : decay.getAsDouble();
    }

    /** Deletes the temporary conversion of a Keras 3 file, if any. */
    @Override
    public void close() {
        if (keras3 != null) {
            try {
                Files.deleteIfExists(keras3.weights);
            } catch (IOException ignored) {
                // a file in the temporary directory
            }
        }
    }

    private void check() throws TrainerException {
        List<String> problems = new ArrayList<>();
        if (kerasVersion != null) {
            String major = kerasVersion.split("\\.")[0];
            if (major.equals("1")) {
                problems.add("it was saved by Keras " + kerasVersion + "; Keras 1 files are not supported: load it in Keras 2 or 3 "
                        + "and save it again with model.save('model.keras')");
            } else if (!major.equals("2") && !major.equals("3")) {
                problems.add("it was saved by Keras " + kerasVersion + "; DAIG reads files from Keras 2 and 3");
            }
        }
        for (String nested : nestedModels()) {
            problems.add("layer '" + nested + "' is itself a model (a nested Functional/Sequential), which "
                    + "Deeplearning4j cannot import: rebuild the model with the inner model's layers inlined");
        }
        JsonElement loss = trainingConfig == null ? null : trainingConfig.get("loss");
        String optimizer = optimizerName();
        if ((loss == null || loss.isJsonNull()) && optimizer == null) {
            problems.add("it was saved without a loss and an optimizer (not compiled), so it cannot be trained as it is: give them "
                    + "at submission, e.g. --loss categorical_crossentropy --optimizer adam [--lr 0.001]");
        } else if (loss == null || loss.isJsonNull()) {
            problems.add("it names no loss: give one with --loss, e.g. --loss categorical_crossentropy");
        } else if (optimizer == null) {
            problems.add("it names no optimizer: give one with --optimizer, e.g. --optimizer adam");
        } else {
            if (!loss.isJsonPrimitive() || CompileSettings.lossName(loss.getAsString()) == null) {
                String written = loss.isJsonPrimitive() ? "'" + loss.getAsString() + "'" : brief(loss);
                problems.add("its loss " + written + " is not supported; give one of " + String.join(", ",
                        CompileSettings.supportedLosses()) + " with --loss");
            }
            if (!OPTIMIZERS.contains(optimizer)) {
                problems.add("its optimizer '" + optimizer + "' is not supported; give one of " + String.join(", ", sorted(OPTIMIZERS))
                        + " with --optimizer");
            }
        }
        if (!problems.isEmpty()) {
            close();
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
