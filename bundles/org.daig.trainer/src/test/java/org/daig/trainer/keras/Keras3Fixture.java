package org.daig.trainer.keras;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

/**
 * Writes a .keras archive in Keras 3's layout (config.json, metadata.json, model.weights.h5 with
 * {@code layers/<group>/[cell/]vars/<i>}) for layers the shared folder has no file of. The
 * configurations are written as Keras 3.8 writes them; the weights are random.
 */
final class Keras3Fixture {

    /** One variable: its dataset path in model.weights.h5 and its shape. */
    record Variable(String path, long... shape) {
    }

    private Keras3Fixture() {
    }

    static Path write(Path file, String configJson, List<Variable> variables, long seed) throws IOException {
        Path weights = file.resolveSibling(file.getFileName() + ".weights.h5");
        SplittableRandom random = new SplittableRandom(seed);
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File h5 = new H5File(weights.toString(), hdf5.H5F_ACC_TRUNC)) {
                Set<String> groups = new HashSet<>();
                for (Variable v : variables) {
                    String[] parts = v.path().split("/");
                    StringBuilder group = new StringBuilder();
                    for (int i = 0; i < parts.length - 1; i++) {
                        group.append(i == 0 ? "" : "/").append(parts[i]);
                        if (groups.add(group.toString())) {
                            try (Group g = h5.createGroup(group.toString())) {
                                // created; closed at once
                            }
                        }
                    }
                    long count = 1;
                    for (long d : v.shape()) {
                        count *= d;
                    }
                    float[] values = new float[(int) count];
                    boolean variance = v.path().matches(".*normalization/vars/1");
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (variance ? 0.1 + random.nextDouble() : random.nextDouble() - 0.5);
                    }
                    try (DataSpace space = new DataSpace(v.shape().length, v.shape());
                         DataSet data = h5.createDataSet(v.path(), PredType.IEEE_F32LE(), space);
                         FloatPointer pointer = new FloatPointer(values)) {
                        data.write(pointer, PredType.NATIVE_FLOAT());
                    }
                }
            }
        }
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("metadata.json"));
            zip.write("{\"keras_version\": \"3.8.0\", \"date_saved\": \"2026-12-02@09:00:00\"}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(configJson.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            Files.copy(weights, zip);
            zip.closeEntry();
        } finally {
            Files.deleteIfExists(weights);
        }
        return file;
    }

    /** A Keras 3 layer entry: {"module": "keras.layers", "class_name": C, "config": {...}, "registered_name": null}. */
    static String layer(String className, String config) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"" + className + "\", \"config\": {" + config
                + ", \"trainable\": true, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"},"
                + " \"registered_name\": null}}, \"registered_name\": null}";
    }

    /** A compiled Sequential model of these layers, the first an InputLayer of {@code batchShape}. */
    static String sequential(String batchShape, String loss, String... layers) {
        return "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"trainable\": true, "
                + "\"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": " + batchShape
                + ", \"dtype\": \"float32\", \"sparse\": false, \"name\": \"input_layer\"}, \"registered_name\": null}, "
                + String.join(", ", layers) + "]}, \"registered_name\": null, \"compile_config\": {\"optimizer\": \"adam\", \"loss\": \""
                + loss + "\", \"metrics\": null}}";
    }

    /** A Functional layer entry whose inbound node calls it on {@code inputs} (one, or a list for a merge). */
    static String functionalLayer(String className, String config, String... inputs) {
        StringBuilder tensors = new StringBuilder();
        for (String input : inputs) {
            tensors.append(tensors.length() == 0 ? "" : ", ").append("{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": null, ")
                    .append("\"dtype\": \"float32\", \"keras_history\": [\"").append(input).append("\", 0, 0]}}");
        }
        String args = inputs.length == 1 ? tensors.toString() : "[" + tensors + "]";
        String layer = layer(className, config);
        return layer.substring(0, layer.length() - 1) + ", \"name\": \"" + config.replaceAll(".*\"name\": \"([^\"]+)\".*", "$1")
                + "\", \"inbound_nodes\": [{\"args\": [" + args + "], \"kwargs\": {}}]}";
    }

    /** A compiled Functional model: one input layer "input_layer", the layers, one output layer. */
    static String functional(String batchShape, String loss, String output, String... layers) {
        return "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"functional\", \"trainable\": true, "
                + "\"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": " + batchShape
                + ", \"dtype\": \"float32\", \"sparse\": false, \"name\": \"input_layer\"}, \"registered_name\": null, \"name\": \"input_layer\", "
                + "\"inbound_nodes\": []}, " + String.join(", ", layers) + "], \"input_layers\": [\"input_layer\", 0, 0], \"output_layers\": [\""
                + output + "\", 0, 0]}, \"registered_name\": null, \"compile_config\": {\"optimizer\": \"adam\", \"loss\": \"" + loss
                + "\", \"metrics\": null}}";
    }
}
