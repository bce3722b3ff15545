package org.daig.trainer.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.FloatPointer;
import org.daig.trainer.TrainerException;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import com.google.gson.JsonObject;

/**
 * Gives a model that came as a Keras 3 {@code .keras} archive back in the same form: the
 * uploaded archive, entry for entry (config.json and metadata.json byte for byte), with the
 * trained values written over the layer variables of its model.weights.h5. Keras's
 * {@code load_model} opens it as it opened the original. The optimizer's saved state is kept as
 * it was uploaded (Keras loads it as a warm start; DAIG's optimizer state is per task).
 */
public final class Keras3Export {

    private Keras3Export() {
    }

    public static void write(TrainableModel model, Path out) throws TrainerException, IOException {
        KerasModelFile source = model.source();
        if (source == null || !source.isArchive()) {
            throw new TrainerException("only a model uploaded as a Keras 3 .keras archive can be written as .keras; download this one "
                    + "as h5 (Keras) or zip (DL4J)");
        }
        Path absolute = out.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path weights = Files.createTempFile(absolute.getParent(), "weights-", ".h5");
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".part");
        try (ZipFile zip = new ZipFile(source.file().toFile())) {
            try (InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                Files.copy(in, weights, StandardCopyOption.REPLACE_EXISTING);
            }
            overwrite(weights, trainedVariables(model, source.keras3Config()));
            try (OutputStream file = Files.newOutputStream(temp); ZipOutputStream copy = new ZipOutputStream(file)) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                    ZipEntry entry = e.nextElement();
                    copy.putNextEntry(new ZipEntry(entry.getName()));
                    if (entry.getName().equals("model.weights.h5")) {
                        Files.copy(weights, copy);
                    } else {
                        try (InputStream in = zip.getInputStream(entry)) {
                            in.transferTo(copy);
                        }
                    }
                    copy.closeEntry();
                }
            }
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(weights);
            Files.deleteIfExists(temp);
        }
    }

    /** Dataset path in model.weights.h5 (layers/&lt;group&gt;/[cell/]vars/&lt;i&gt;) to the trained values. */
    private static Map<String, float[]> trainedVariables(TrainableModel model, JsonObject config) throws TrainerException {
        Map<String, float[]> values = new HashMap<>();
        Map<String, Integer> counters = new HashMap<>();
        for (JsonObject layer : Keras3Config.layers(config)) {
            String className = Keras3Config.string(layer, "class_name");
            String name = Keras3Config.string(layer.getAsJsonObject("config"), "name");
            String snake = Keras3Config.snakeCase(className);
            int n = counters.merge(snake, 1, Integer::sum) - 1;
            String group = "layers/" + (n == 0 ? snake : snake + "_" + n);
            List<KerasH5Writer.Weight> weights = KerasExport.kerasWeights(model, layer);
            if (weights == null) {
                throw new TrainerException("exporting layer '" + name + "' (" + className + ") to .keras is not supported yet; "
                        + "download the model as zip (DL4J)");
            }
            if (className.equals("Bidirectional")) {
                // forward weights first, then as many backward ones, each copy a recurrent layer of its own
                int half = weights.size() / 2;
                for (int i = 0; i < half; i++) {
                    values.put(group + "/forward_layer/cell/vars/" + i, weights.get(i).values());
                    values.put(group + "/backward_layer/cell/vars/" + i, weights.get(half + i).values());
                }
                continue;
            }
            String vars = group + (List.of("SimpleRNN", "LSTM", "GRU").contains(className) ? "/cell/vars/" : "/vars/");
            for (int i = 0; i < weights.size(); i++) {
                values.put(vars + i, weights.get(i).values());
            }
        }
        return values;
    }

    private static void overwrite(Path weights, Map<String, float[]> values) throws TrainerException {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File h5 = new H5File(weights.toString(), hdf5.H5F_ACC_RDWR)) {
                for (Map.Entry<String, float[]> v : values.entrySet()) {
                    try (DataSet data = h5.openDataSet(v.getKey()); DataSpace space = data.getSpace();
                         FloatPointer pointer = new FloatPointer(v.getValue())) {
                        long stored = space.getSimpleExtentNpoints();
                        if (stored != v.getValue().length) {
                            throw new TrainerException("model.weights.h5 holds " + stored + " values at " + v.getKey() + ", the trained "
                                    + "model " + v.getValue().length);
                        }
                        data.write(pointer, PredType.NATIVE_FLOAT());
                    }
                }
            } catch (RuntimeException e) {
                throw new TrainerException("writing the trained weights into model.weights.h5 failed: " + KerasModelFile.rootMessage(e), e);
            }
        }
    }
}
