package org.daig.trainer.keras;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * A fully connected Keras Sequential classifier or regressor, described the way Keras 2 saves
 * it, with Glorot-uniform initial weights from a seed. Used by the demo and the tests to make
 * real Keras files without Python.
 *
 * @param inputs     values per sample
 * @param hidden     units of each hidden Dense layer (activation {@code activation})
 * @param outputs    units of the output layer
 * @param activation hidden activation, e.g. relu
 * @param output     output activation, e.g. softmax
 * @param loss       Keras loss name, e.g. sparse_categorical_crossentropy
 * @param optimizer  Keras optimizer class, e.g. Adam
 * @param learningRate its learning rate
 */
public record KerasMlp(int inputs, int[] hidden, int outputs, String activation, String output, String loss,
        String optimizer, double learningRate) {

    public void write(Path file, long seed) throws IOException {
        Spec spec = spec(seed);
        KerasH5Writer.write(file, spec.modelConfig(), spec.trainingConfig(), spec.weights());
    }

    /** The model as Keras describes it, and its initial weights. */
    public record Spec(JsonObject modelConfig, JsonObject trainingConfig, List<KerasH5Writer.LayerWeights> weights) {
    }

    public Spec spec(long seed) {
        Random random = new Random(seed);
        JsonArray layers = new JsonArray();
        List<KerasH5Writer.LayerWeights> weights = new ArrayList<>();
        int in = inputs;
        int count = hidden.length + 1;
        for (int i = 0; i < count; i++) {
            boolean last = i == count - 1;
            int units = last ? outputs : hidden[i];
            String name = "dense_" + (i + 1);
            layers.add(dense(name, units, last ? output : activation, i == 0 ? in : -1));
            float[] kernel = new float[in * units];
            double limit = Math.sqrt(6.0 / (in + units));
            for (int k = 0; k < kernel.length; k++) {
                kernel[k] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            weights.add(new KerasH5Writer.LayerWeights(name, List.of(
                    new KerasH5Writer.Weight("kernel:0", new long[] { in, units }, kernel),
                    new KerasH5Writer.Weight("bias:0", new long[] { units }, new float[units]))));
            in = units;
        }
        JsonObject modelConfig = new JsonObject();
        modelConfig.addProperty("class_name", "Sequential");
        JsonObject config = new JsonObject();
        config.addProperty("name", "sequential");
        config.add("layers", layers);
        modelConfig.add("config", config);
        return new Spec(modelConfig, trainingConfig(), weights);
    }

    private static JsonObject dense(String name, int units, String activation, int inputDim) {
        JsonObject config = new JsonObject();
        config.addProperty("name", name);
        config.addProperty("trainable", true);
        if (inputDim > 0) {
            JsonArray shape = new JsonArray();
            shape.add(JsonNull.INSTANCE);
            shape.add(inputDim);
            config.add("batch_input_shape", shape);
        }
        config.addProperty("dtype", "float32");
        config.addProperty("units", units);
        config.addProperty("activation", activation);
        config.addProperty("use_bias", true);
        config.add("kernel_initializer", initializer("GlorotUniform"));
        config.add("bias_initializer", initializer("Zeros"));
        config.add("kernel_regularizer", JsonNull.INSTANCE);
        config.add("bias_regularizer", JsonNull.INSTANCE);
        config.add("activity_regularizer", JsonNull.INSTANCE);
        config.add("kernel_constraint", JsonNull.INSTANCE);
        config.add("bias_constraint", JsonNull.INSTANCE);
        JsonObject layer = new JsonObject();
        layer.addProperty("class_name", "Dense");
        layer.add("config", config);
        return layer;
    }

    private static JsonObject initializer(String className) {
        JsonObject init = new JsonObject();
        init.addProperty("class_name", className);
        init.add("config", new JsonObject());
        return init;
    }

    private JsonObject trainingConfig() {
        JsonObject optimizerConfig = new JsonObject();
        optimizerConfig.addProperty("name", optimizer);
        optimizerConfig.addProperty("learning_rate", learningRate);
        optimizerConfig.addProperty("lr", learningRate); // older importers read lr
        if (optimizer.equals("Adam") || optimizer.equals("Adamax") || optimizer.equals("Nadam")) {
            optimizerConfig.addProperty("beta_1", 0.9);
            optimizerConfig.addProperty("beta_2", 0.999);
            optimizerConfig.addProperty("epsilon", 1e-7);
            optimizerConfig.addProperty("decay", 0.0);
            optimizerConfig.addProperty("amsgrad", false);
        } else if (optimizer.equals("SGD")) {
            optimizerConfig.addProperty("momentum", 0.0);
            optimizerConfig.addProperty("decay", 0.0);
            optimizerConfig.addProperty("nesterov", false);
        } else if (optimizer.equals("RMSprop")) {
            optimizerConfig.addProperty("rho", 0.9);
            optimizerConfig.addProperty("epsilon", 1e-7);
            optimizerConfig.addProperty("decay", 0.0);
        }
        JsonObject opt = new JsonObject();
        opt.addProperty("class_name", optimizer);
        opt.add("config", optimizerConfig);
        JsonObject training = new JsonObject();
        training.add("optimizer_config", opt);
        training.addProperty("loss", loss);
        JsonArray metrics = new JsonArray();
        metrics.add("accuracy");
        training.add("metrics", metrics);
        training.add("loss_weights", JsonNull.INSTANCE);
        training.add("sample_weight_mode", JsonNull.INSTANCE);
        training.add("weighted_metrics", JsonNull.INSTANCE);
        return training;
    }
}
