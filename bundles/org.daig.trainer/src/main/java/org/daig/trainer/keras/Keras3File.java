package org.daig.trainer.keras;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.daig.trainer.TrainerException;
import org.daig.trainer.keras.Keras3Config.KerasFormatException;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.google.gson.JsonObject;

/**
 * A model saved by Keras 3, as a {@code .keras} archive or a legacy {@code .h5}, turned into what
 * Deeplearning4j's importer reads: a Keras 2 model config, a Keras 2 training_config, and a
 * temporary Keras 2 HDF5 file holding the weights under Keras 2's names.
 *
 * <p>Weights in a .keras archive are not stored under the config's layer names but as
 * {@code layers/<snake_case(class)>[_N]/vars/<i>}, N counting layers of that class in config
 * order; recurrent layers keep theirs under {@code cell/vars}. A legacy .h5 from Keras 3 keeps
 * them at {@code model_weights/<layer>/.../<name>} without Keras 2's {@code :0} suffix.
 */
final class Keras3File {

    /** Keras 2 names of a layer's variables, in the order Keras 3 stores them. */
    private static final Map<String, List<String>> VARIABLES = Map.of("Embedding", List.of("embeddings"), "PReLU", List.of("alpha"),
            "SimpleRNN", List.of("kernel", "recurrent_kernel", "bias"), "LSTM", List.of("kernel", "recurrent_kernel", "bias"),
            "GRU", List.of("kernel", "recurrent_kernel", "bias"), "Normalization", List.of("mean", "variance"));

    private static final java.util.Set<String> CONSTANTS = java.util.Set.of("mean:0", "variance:0");

    final JsonObject originalConfig;
    final JsonObject modelConfig;
    final JsonObject trainingConfig;
    final String kerasVersion;
    final Path weights;
    /** A .keras archive (or else a legacy .h5). */
    final boolean archive;
    /** How many values the file's layer weights hold, to check against the imported network. */
    final long weightCount;

    private Keras3File(JsonObject originalConfig, JsonObject modelConfig, JsonObject trainingConfig, String kerasVersion, Path weights,
            boolean archive, List<KerasH5Writer.LayerWeights> layers) {
        this.originalConfig = originalConfig;
        this.modelConfig = modelConfig;
        this.trainingConfig = trainingConfig;
        this.kerasVersion = kerasVersion;
        this.weights = weights;
        this.archive = archive;
        // a Normalization layer's mean, variance and count are constants of the network, not parameters
        this.weightCount = layers.stream().flatMap(l -> l.weights().stream()).filter(w -> !CONSTANTS.contains(w.name()))
                .mapToLong(w -> w.values().length).sum();
    }

    /** Reads a .keras archive; the weights are rewritten to a temporary file in {@code tempDir}. */
    static Keras3File readArchive(Path file, Path tempDir) throws TrainerException {
        try (KerasArchive archive = KerasArchive.open(file, tempDir)) {
            JsonObject config = archive.config();
            String version = archive.kerasVersion() == null ? "3" : archive.kerasVersion();
            try {
                JsonObject model = Keras3Config.toKeras2(config);
                JsonObject training = CompileSettings.fromKeras3(config.get("compile_config"));
                List<KerasH5Writer.LayerWeights> layers = new ArrayList<>();
                synchronized (Hdf5Archive.LOCK_OBJECT) {
                    try (Hdf5Archive h5 = new Hdf5Archive(archive.weights().toString())) {
                        Map<String, Integer> counters = new HashMap<>();
                        for (JsonObject layer : Keras3Config.layers(config)) {
                            String className = Keras3Config.string(layer, "class_name");
                            String name = Keras3Config.string(layer.getAsJsonObject("config"), "name");
                            String snake = Keras3Config.snakeCase(className);
                            int n = counters.merge(snake, 1, Integer::sum) - 1;
                            String group = n == 0 ? snake : snake + "_" + n;
                            layers.add(new KerasH5Writer.LayerWeights(name, archiveWeights(h5, className, layer.getAsJsonObject("config"),
                                    group)));
                        }
                    }
                }
                return new Keras3File(config, model, training, version, writeKeras2(file, tempDir, model, training, layers), true, layers);
            } catch (KerasFormatException e) {
                throw new TrainerException(file + ": " + e.getMessage());
            } catch (RuntimeException | IOException e) {
                throw new TrainerException(file + ": its model.weights.h5 cannot be read (" + KerasModelFile.rootMessage(e)
                        + "); save the model again with model.save('model.keras')", e);
            }
        }
    }

    private static List<KerasH5Writer.Weight> archiveWeights(Hdf5Archive h5, String className, JsonObject config, String group)
            throws KerasFormatException {
        if (!h5.getGroups("layers").contains(group)) {
            return List.of(); // a layer without variables may have no group at all
        }
        if (className.equals("Bidirectional")) {
            // the wrapped layer's two copies keep their variables under forward_layer/ and backward_layer/;
            // DL4J wants the forward ones first, under names holding "forward" and "backward"
            JsonObject inner = config.getAsJsonObject("layer");
            String innerClass = Keras3Config.string(inner, "class_name");
            JsonObject innerConfig = inner.getAsJsonObject("config").deepCopy();
            innerConfig.addProperty("name", Keras3Config.string(config, "name"));
            List<KerasH5Writer.Weight> weights = new ArrayList<>();
            for (String direction : new String[] { "forward", "backward" }) {
                String prefix = direction + "_" + Keras3Config.snakeCase(innerClass) + "/";
                for (KerasH5Writer.Weight w : variables(h5, innerClass, innerConfig, "layers", group, direction + "_layer")) {
                    weights.add(new KerasH5Writer.Weight(prefix + w.name(), w.shape(), w.values()));
                }
            }
            return weights;
        }
        return variables(h5, className, config, "layers", group);
    }

    /** A layer's variables below {@code group} ({@code vars/i}, or {@code cell/vars/i} for a recurrent layer). */
    private static List<KerasH5Writer.Weight> variables(Hdf5Archive h5, String className, JsonObject config, String... group)
            throws KerasFormatException {
        boolean recurrent = List.of("SimpleRNN", "LSTM", "GRU").contains(className);
        String[] path = java.util.Arrays.copyOf(group, group.length + (recurrent ? 2 : 1));
        if (recurrent) {
            path[group.length] = "cell";
        }
        path[path.length - 1] = "vars";
        for (int depth = 1; depth < path.length; depth++) {
            String[] parent = java.util.Arrays.copyOf(path, depth);
            if (!h5.getGroups(parent).contains(path[depth])) {
                return List.of();
            }
        }
        List<String> stored = h5.getDataSets(path);
        List<String> names = variableNames(className, config);
        if (stored.isEmpty()) {
            return List.of();
        }
        // a Normalization saved by some Keras versions also keeps a sample count after mean and variance: not needed
        boolean extraCount = className.equals("Normalization") && stored.size() == 3;
        if (names == null || stored.size() != names.size() && !extraCount) {
            throw new KerasFormatException("layer '" + Keras3Config.string(config, "name") + "' (" + className + ") has " + stored.size()
                    + " weight arrays in model.weights.h5 where " + (names == null ? "none" : names.size()) + " were expected");
        }
        List<KerasH5Writer.Weight> weights = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                weights.add(weight(names.get(i), h5.readDataSet(Integer.toString(i), path)));
            } catch (org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException e) {
                throw new KerasFormatException("layer '" + Keras3Config.string(config, "name") + "': weight " + i + " cannot be read");
            }
        }
        checkShapes(className, config, weights);
        return weights;
    }

    /**
     * The output size each weight must end with, from the layer's config: weights of another model
     * are refused here, before Deeplearning4j copies them (it does not check every shape itself).
     */
    private static void checkShapes(String className, JsonObject config, List<KerasH5Writer.Weight> weights) throws KerasFormatException {
        String size = switch (className) {
        case "Dense", "SimpleRNN" -> "units";
        case "Conv1D", "Conv2D" -> "filters";
        case "Embedding" -> "output_dim";
        case "LSTM", "GRU" -> "units";
        default -> null;
        };
        if (size == null || !config.has(size)) {
            return;
        }
        long gates = className.equals("LSTM") ? 4 : className.equals("GRU") ? 3 : 1;
        long expected = config.get(size).getAsLong() * gates;
        for (KerasH5Writer.Weight w : weights) {
            long last = w.shape()[w.shape().length - 1];
            if (last != expected) {
                throw new KerasFormatException("layer '" + Keras3Config.string(config, "name") + "' (" + className + ", " + size + " "
                        + config.get(size).getAsLong() + ") has a " + w.name().replace(":0", "") + " of shape "
                        + java.util.Arrays.toString(w.shape()) + ": the weights do not belong to this configuration. Save the model again "
                        + "with model.save('model.keras')");
            }
        }
    }

    /** Keras 2 names of the layer's variables in stored order; null for a layer that should have none. */
    private static List<String> variableNames(String className, JsonObject config) {
        if (VARIABLES.containsKey(className)) {
            return VARIABLES.get(className);
        }
        boolean bias = !config.has("use_bias") || config.get("use_bias").getAsBoolean();
        return switch (className) {
        case "Dense", "Conv1D", "Conv2D" -> bias ? List.of("kernel", "bias") : List.of("kernel");
        case "LayerNormalization" -> {
            List<String> names = new ArrayList<>();
            if (!config.has("scale") || config.get("scale").getAsBoolean()) {
                names.add("gamma");
            }
            if (!config.has("center") || config.get("center").getAsBoolean()) {
                names.add("beta");
            }
            yield names;
        }
        case "BatchNormalization" -> {
            List<String> names = new ArrayList<>();
            if (!config.has("scale") || config.get("scale").getAsBoolean()) {
                names.add("gamma");
            }
            if (!config.has("center") || config.get("center").getAsBoolean()) {
                names.add("beta");
            }
            names.add("moving_mean");
            names.add("moving_variance");
            yield names;
        }
        default -> null;
        };
    }

    /** Reads a legacy .h5 written by Keras 3 (root attribute keras_version 3.x). */
    static Keras3File readLegacyH5(Path file, Path tempDir, String version, JsonObject modelConfig, JsonObject compile)
            throws TrainerException {
        try {
            JsonObject model = Keras3Config.toKeras2(modelConfig);
            JsonObject training = CompileSettings.fromKeras3(compile);
            List<KerasH5Writer.LayerWeights> layers = new ArrayList<>();
            synchronized (Hdf5Archive.LOCK_OBJECT) {
                try (Hdf5Archive h5 = new Hdf5Archive(file.toString())) {
                    List<String> stored = h5.getGroups("model_weights");
                    for (JsonObject layer : Keras3Config.layers(modelConfig)) {
                        String name = Keras3Config.string(layer.getAsJsonObject("config"), "name");
                        List<KerasH5Writer.Weight> weights = new ArrayList<>();
                        if (stored.contains(name) && "Bidirectional".equals(Keras3Config.string(layer, "class_name"))) {
                            collectDirections(h5, layer, weights);
                        } else if (stored.contains(name)) {
                            collect(h5, new String[] { "model_weights", name }, weights);
                        }
                        layers.add(new KerasH5Writer.LayerWeights(name, weights));
                    }
                }
            }
            return new Keras3File(modelConfig, model, training, version, writeKeras2(file, tempDir, model, training, layers), false, layers);
        } catch (KerasFormatException e) {
            throw new TrainerException(file + ": " + e.getMessage());
        } catch (RuntimeException | IOException | org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException e) {
            throw new TrainerException(file + ": its weights cannot be read (" + KerasModelFile.rootMessage(e)
                    + "); save the model again with model.save('model.keras')", e);
        }
    }

    /** Every dataset below a layer's group, named by its last path element (kernel, bias, ...). */
    private static void collect(Hdf5Archive h5, String[] path, List<KerasH5Writer.Weight> into)
            throws org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException {
        for (String data : h5.getDataSets(path)) {
            into.add(weight(data.replaceAll(":\\d+$", ""), h5.readDataSet(data, path)));
        }
        for (String child : h5.getGroups(path)) {
            String[] deeper = java.util.Arrays.copyOf(path, path.length + 1);
            deeper[path.length] = child;
            collect(h5, deeper, into);
        }
    }

    /**
     * A Bidirectional layer's weights in a legacy .h5: below groups named forward_... and
     * backward_... (Keras names the two copies so), renamed as the archive reader names them.
     */
    private static void collectDirections(Hdf5Archive h5, JsonObject layer, List<KerasH5Writer.Weight> into)
            throws KerasFormatException, org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException {
        String name = Keras3Config.string(layer.getAsJsonObject("config"), "name");
        String inner = Keras3Config.snakeCase(Keras3Config.string(layer.getAsJsonObject("config").getAsJsonObject("layer"), "class_name"));
        for (String direction : new String[] { "forward", "backward" }) {
            List<KerasH5Writer.Weight> found = new ArrayList<>();
            findDirection(h5, new String[] { "model_weights", name }, direction, found);
            if (found.isEmpty()) {
                throw new KerasFormatException("layer '" + name + "' (Bidirectional) has no " + direction + " weights in the file");
            }
            for (KerasH5Writer.Weight w : found) {
                into.add(new KerasH5Writer.Weight(direction + "_" + inner + "/" + w.name(), w.shape(), w.values()));
            }
        }
    }

    private static void findDirection(Hdf5Archive h5, String[] path, String direction, List<KerasH5Writer.Weight> into)
            throws org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException {
        for (String child : h5.getGroups(path)) {
            String[] deeper = java.util.Arrays.copyOf(path, path.length + 1);
            deeper[path.length] = child;
            if (child.startsWith(direction)) {
                collect(h5, deeper, into);
            } else {
                findDirection(h5, deeper, direction, into);
            }
        }
    }

    private static KerasH5Writer.Weight weight(String name, INDArray values) {
        return new KerasH5Writer.Weight(name + ":0", values.shape(), values.dup('c').castTo(DataType.FLOAT).data().asFloat());
    }

    private static Path writeKeras2(Path file, Path tempDir, JsonObject model, JsonObject training, List<KerasH5Writer.LayerWeights> layers)
            throws IOException {
        Path keras2 = Files.createTempFile(tempDir, "keras2-", ".h5");
        KerasH5Writer.write(keras2, KerasH5Writer.KERAS_VERSION, model, training, layers);
        return keras2;
    }
}
