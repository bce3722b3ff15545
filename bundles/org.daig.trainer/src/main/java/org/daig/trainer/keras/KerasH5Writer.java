package org.daig.trainer.keras;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import com.google.gson.JsonObject;

/**
 * Writes a Keras 2 HDF5 model file ({@code model.save('m.h5')} layout) with the HDF5 library
 * DL4J already ships: root attributes keras_version, backend, model_config and training_config;
 * group {@code model_weights} with {@code layer_names}, one group per layer with
 * {@code weight_names}, and the values at {@code <layer>/<layer>/<weight>:0}. Deeplearning4j can
 * import but not export Keras files; this is the way back to Keras.
 */
public final class KerasH5Writer {

    /** The Keras version written into the file: the Keras 2 HDF5 layout as tf.keras 2.4+ writes it. */
    public static final String KERAS_VERSION = "2.4.0";

    /** One weight of a layer, values in C (row-major) order as Keras keeps them. */
    public record Weight(String name, long[] shape, float[] values) {
    }

    /** A layer's weights in Keras order (e.g. kernel, bias); empty for layers without weights. */
    public record LayerWeights(String layer, List<Weight> weights) {
    }

    private KerasH5Writer() {
    }

    public static void write(Path file, JsonObject modelConfig, JsonObject trainingConfig, List<LayerWeights> layers) throws IOException {
        write(file, KERAS_VERSION, modelConfig, trainingConfig, layers);
    }

    /**
     * Writes with a given Keras version; {@code trainingConfig} null leaves it out (as
     * {@code model.save} does for an uncompiled model). Tests use this to make the files users bring.
     */
    public static void write(Path file, String kerasVersion, JsonObject modelConfig, JsonObject trainingConfig,
            List<LayerWeights> layers) throws IOException {
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        // The HDF5 library is not thread safe; DL4J's reader locks on the same object.
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File h5 = new H5File(temp.toString(), hdf5.H5F_ACC_TRUNC)) {
                writeString(h5, "keras_version", kerasVersion);
                writeString(h5, "backend", "tensorflow");
                writeString(h5, "model_config", modelConfig.toString());
                if (trainingConfig != null) {
                    writeString(h5, "training_config", trainingConfig.toString());
                }
                try (Group weights = h5.createGroup("model_weights")) {
                    List<String> layerNames = new ArrayList<>();
                    for (LayerWeights layer : layers) {
                        layerNames.add(layer.layer());
                    }
                    writeStrings(weights, "layer_names", layerNames);
                    writeString(weights, "backend", "tensorflow");
                    writeString(weights, "keras_version", kerasVersion);
                    for (LayerWeights layer : layers) {
                        writeLayer(weights, layer);
                    }
                }
            } catch (RuntimeException e) {
                Files.deleteIfExists(temp);
                throw new IOException("writing " + file + " failed: " + e.getMessage(), e);
            }
        }
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeLayer(Group parent, LayerWeights layer) {
        try (Group group = parent.createGroup(layer.layer())) {
            List<String> names = new ArrayList<>();
            for (Weight w : layer.weights()) {
                names.add(layer.layer() + "/" + w.name());
            }
            writeStrings(group, "weight_names", names);
            if (layer.weights().isEmpty()) {
                return;
            }
            try (Group inner = group.createGroup(layer.layer())) {
                java.util.Set<String> subgroups = new java.util.HashSet<>();
                for (Weight w : layer.weights()) {
                    // a wrapper's weights sit one level deeper (forward_lstm/kernel:0): create that group first
                    int slash = w.name().lastIndexOf('/');
                    if (slash > 0 && subgroups.add(w.name().substring(0, slash))) {
                        inner.createGroup(w.name().substring(0, slash)).close();
                    }
                    try (DataSpace space = new DataSpace(w.shape().length, w.shape());
                         DataSet data = inner.createDataSet(w.name(), PredType.IEEE_F32LE(), space);
                         FloatPointer values = new FloatPointer(w.values())) {
                        data.write(values, PredType.NATIVE_FLOAT());
                    }
                }
            }
        }
    }

    /** A fixed-length string attribute, as h5py writes Python str attributes in Keras files. */
    private static void writeString(H5Object target, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (StrType type = new StrType(PredType.C_S1(), Math.max(1, bytes.length));
             DataSpace scalar = new DataSpace(hdf5.H5S_SCALAR);
             Attribute attribute = target.createAttribute(name, type, scalar);
             BytePointer pointer = new BytePointer(bytes.length == 0 ? new byte[1] : bytes)) {
            attribute.write(type, pointer);
        }
    }

    /** An array of fixed-length strings (numpy 'S' dtype), as Keras writes layer_names and weight_names. */
    private static void writeStrings(H5Object target, String name, List<String> values) {
        int length = 1;
        for (String v : values) {
            length = Math.max(length, v.getBytes(StandardCharsets.UTF_8).length);
        }
        byte[] packed = new byte[Math.max(1, values.size()) * length];
        for (int i = 0; i < values.size(); i++) {
            byte[] b = values.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, packed, i * length, b.length);
        }
        try (StrType type = new StrType(PredType.C_S1(), length);
             DataSpace space = new DataSpace(1, new long[] { values.size() });
             Attribute attribute = target.createAttribute(name, type, space);
             BytePointer pointer = new BytePointer(packed)) {
            attribute.write(type, pointer);
        }
    }
}
