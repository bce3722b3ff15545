package org.daig.trainer.keras;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A forward pass written from Keras's definitions, independent of the importer: it reads
 * config.json and the raw arrays of model.weights.h5 itself and computes one sample at a time in
 * doubles. Sequential and Functional models of InputLayer, Dense, Activation, ReLU, Add, Concatenate
 * (vectors), BatchNormalization, LayerNormalization, Dropout,
 * Flatten, Conv1D, Conv2D, MaxPooling2D, GlobalAveragePooling1D, SimpleRNN, LSTM, Bidirectional
 * (around those two; sequences or last state) and GRU (both
 * reset_after forms; channels last).
 */
final class ReferenceForwardPass {

    /** A tensor of one sample: values in C order and the shape without the batch dimension. */
    record Tensor(double[] v, int[] shape) {
    }

    private final JsonArray layers;
    private final Map<String, List<double[]>> weights = new HashMap<>();
    private final Map<String, Map<String, int[]>> shapes = new HashMap<>();

    ReferenceForwardPass(Path kerasFile, Path tempDir) throws Exception {
        Path h5 = tempDir.resolve("reference.weights.h5");
        try (ZipFile zip = new ZipFile(kerasFile.toFile())) {
            JsonObject config;
            try (InputStream in = zip.getInputStream(zip.getEntry("config.json"))) {
                config = JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
            }
            try (InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                Files.copy(in, h5, StandardCopyOption.REPLACE_EXISTING);
            }
            layers = config.getAsJsonObject("config").getAsJsonArray("layers");
        }
        Map<String, Integer> counters = new HashMap<>();
        try (Hdf5Archive archive = new Hdf5Archive(h5.toString())) {
            for (JsonElement e : layers) {
                String className = e.getAsJsonObject().get("class_name").getAsString();
                String name = e.getAsJsonObject().getAsJsonObject("config").get("name").getAsString();
                String snake = Keras3Config.snakeCase(className);
                int n = counters.merge(snake, 1, Integer::sum) - 1;
                String group = n == 0 ? snake : snake + "_" + n;
                if (!archive.getGroups("layers").contains(group)) {
                    continue;
                }
                List<double[]> values = new java.util.ArrayList<>();
                Map<String, int[]> dims = new HashMap<>();
                // a Bidirectional layer: the forward copy's variables, then the backward one's
                List<String[]> groups = className.equals("Bidirectional")
                        ? List.of(new String[] { "layers", group, "forward_layer" }, new String[] { "layers", group, "backward_layer" })
                        : List.<String[]>of(new String[] { "layers", group });
                for (String[] g : groups) {
                    String[] path = archive.getGroups(g).contains("cell") ? append(append(g, "cell"), "vars") : append(g, "vars");
                    if (!archive.getGroups(java.util.Arrays.copyOf(path, path.length - 1)).contains("vars")) {
                        continue;
                    }
                    for (int i = 0; i < archive.getDataSets(path).size(); i++) {
                        org.nd4j.linalg.api.ndarray.INDArray a = archive.readDataSet(Integer.toString(i), path);
                        values.add(a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble());
                        dims.put(Integer.toString(dims.size()), java.util.Arrays.stream(a.shape()).mapToInt(x -> (int) x).toArray());
                    }
                }
                weights.put(name, values);
                shapes.put(name, dims);
            }
        } finally {
            Files.deleteIfExists(h5);
        }
    }

    private static String[] append(String[] path, String last) {
        String[] longer = java.util.Arrays.copyOf(path, path.length + 1);
        longer[path.length] = last;
        return longer;
    }

    Tensor predict(Tensor input) {
        // Sequential: each layer takes the previous one's output; Functional: what its inbound node names
        Map<String, Tensor> outputs = new HashMap<>();
        Tensor x = input;
        for (JsonElement e : layers) {
            JsonObject layer = e.getAsJsonObject();
            JsonObject c = layer.getAsJsonObject("config");
            String name = c.get("name").getAsString();
            List<Tensor> in = inputs(layer, outputs, x, input);
            x = in.get(0);
            List<double[]> w = weights.get(name);
            x = switch (layer.get("class_name").getAsString()) {
            case "InputLayer", "Dropout" -> x;
            case "Flatten" -> new Tensor(x.v(), new int[] { x.v().length });
            case "Dense" -> activate(dense(x, w.get(0), w.get(1)), c);
            case "Activation" -> activate(x, c);
            case "ReLU" -> new Tensor(java.util.Arrays.stream(x.v()).map(v -> Math.max(0, v)).toArray(), x.shape());
            case "Add" -> add(in);
            case "Concatenate" -> concatenate(in);
            case "BatchNormalization" -> batchNorm(x, w, c);
            case "LayerNormalization" -> layerNorm(x, w, c);
            case "Normalization" -> normalization(x, w);
            case "Conv2D" -> activate(conv2d(x, w.get(0), shapes.get(name).get("0"), w.get(1), c), c);
            case "Conv1D" -> activate(conv1d(x, w.get(0), shapes.get(name).get("0"), w.get(1)), c);
            case "MaxPooling2D" -> maxPool2d(x, c.getAsJsonArray("pool_size").get(0).getAsInt());
            case "GlobalAveragePooling1D" -> globalAverage1d(x);
            case "GRU" -> gru(x, w, c);
            case "LSTM" -> lstm(x, w, c);
            case "SimpleRNN" -> simpleRnn(x, w, c);
            case "Bidirectional" -> bidirectional(x, w, c);
            default -> throw new IllegalArgumentException("the reference pass has no " + layer.get("class_name"));
            };
            outputs.put(name, x);
        }
        return x;
    }

    /** A Functional layer's inputs from its inbound node's keras_history; a Sequential layer's: the previous output. */
    private static List<Tensor> inputs(JsonObject layer, Map<String, Tensor> outputs, Tensor previous, Tensor input) {
        if (!layer.has("inbound_nodes")) {
            return List.of(previous);
        }
        if (layer.getAsJsonArray("inbound_nodes").isEmpty()) {
            return List.of(input);
        }
        List<Tensor> in = new java.util.ArrayList<>();
        JsonElement args = layer.getAsJsonArray("inbound_nodes").get(0).getAsJsonObject().getAsJsonArray("args").get(0);
        for (JsonElement t : args.isJsonArray() ? args.getAsJsonArray() : List.of(args)) {
            in.add(outputs.get(t.getAsJsonObject().getAsJsonObject("config").getAsJsonArray("keras_history").get(0).getAsString()));
        }
        return in;
    }

    private static Tensor add(List<Tensor> in) {
        double[] y = in.get(0).v().clone();
        for (Tensor t : in.subList(1, in.size())) {
            for (int i = 0; i < y.length; i++) {
                y[i] += t.v()[i];
            }
        }
        return new Tensor(y, in.get(0).shape());
    }

    /** Along the last axis, for vectors. */
    private static Tensor concatenate(List<Tensor> in) {
        double[] y = in.stream().flatMapToDouble(t -> java.util.Arrays.stream(t.v())).toArray();
        return new Tensor(y, new int[] { y.length });
    }

    private static Tensor dense(Tensor x, double[] kernel, double[] bias) {
        int in = x.shape()[x.shape().length - 1];
        int out = bias.length;
        int rows = x.v().length / in;
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x.v()[r * in + i] * kernel[i * out + o];
                }
                y[r * out + o] = s;
            }
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = out;
        return new Tensor(y, shape);
    }

    private static Tensor batchNorm(Tensor x, List<double[]> w, JsonObject c) {
        double eps = c.get("epsilon").getAsDouble();
        double[] gamma = w.get(0);
        double[] beta = w.get(1);
        double[] mean = w.get(2);
        double[] var = w.get(3);
        int ch = mean.length;
        double[] y = new double[x.v().length];
        for (int i = 0; i < y.length; i++) {
            int k = i % ch;
            y[i] = (x.v()[i] - mean[k]) / Math.sqrt(var[k] + eps) * gamma[k] + beta[k];
        }
        return new Tensor(y, x.shape());
    }

    /** Keras's Normalization: (x - mean) / max(sqrt(variance), 1e-7), per feature. */
    private static Tensor normalization(Tensor x, List<double[]> w) {
        int n = w.get(0).length;
        double[] y = new double[x.v().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (x.v()[i] - w.get(0)[i % n]) / Math.max(Math.sqrt(w.get(1)[i % n]), 1e-7);
        }
        return new Tensor(y, x.shape());
    }

    /** Over the last axis, with gamma and beta (scale and center on). */
    private static Tensor layerNorm(Tensor x, List<double[]> w, JsonObject c) {
        double eps = c.get("epsilon").getAsDouble();
        int n = x.shape()[x.shape().length - 1];
        double[] y = new double[x.v().length];
        for (int row = 0; row < y.length / n; row++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x.v()[row * n + i] / n;
            }
            double var = 0;
            for (int i = 0; i < n; i++) {
                double d = x.v()[row * n + i] - mean;
                var += d * d / n;
            }
            for (int i = 0; i < n; i++) {
                y[row * n + i] = (x.v()[row * n + i] - mean) / Math.sqrt(var + eps) * w.get(0)[i] + w.get(1)[i];
            }
        }
        return new Tensor(y, x.shape());
    }

    private static Tensor conv2d(Tensor x, double[] kernel, int[] k, double[] bias, JsonObject c) {
        int h = x.shape()[0];
        int wd = x.shape()[1];
        int in = x.shape()[2];
        int kh = k[0];
        int kw = k[1];
        int out = k[3];
        if (!"valid".equals(c.get("padding").getAsString()) || c.getAsJsonArray("strides").get(0).getAsInt() != 1) {
            throw new IllegalArgumentException("the reference pass does valid, stride-1 Conv2D only");
        }
        int oh = h - kh + 1;
        int ow = wd - kw + 1;
        double[] y = new double[oh * ow * out];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                for (int o = 0; o < out; o++) {
                    double s = bias[o];
                    for (int a = 0; a < kh; a++) {
                        for (int b = 0; b < kw; b++) {
                            for (int ch = 0; ch < in; ch++) {
                                s += x.v()[((i + a) * wd + (j + b)) * in + ch] * kernel[((a * kw + b) * in + ch) * out + o];
                            }
                        }
                    }
                    y[(i * ow + j) * out + o] = s;
                }
            }
        }
        return new Tensor(y, new int[] { oh, ow, out });
    }

    private static Tensor conv1d(Tensor x, double[] kernel, int[] k, double[] bias) {
        int steps = x.shape()[0];
        int in = x.shape()[1];
        int width = k[0];
        int out = k[2];
        int os = steps - width + 1;
        double[] y = new double[os * out];
        for (int t = 0; t < os; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int a = 0; a < width; a++) {
                    for (int ch = 0; ch < in; ch++) {
                        s += x.v()[(t + a) * in + ch] * kernel[(a * in + ch) * out + o];
                    }
                }
                y[t * out + o] = s;
            }
        }
        return new Tensor(y, new int[] { os, out });
    }

    private static Tensor maxPool2d(Tensor x, int p) {
        int h = x.shape()[0] / p;
        int w = x.shape()[1] / p;
        int ch = x.shape()[2];
        double[] y = new double[h * w * ch];
        java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < h * p; i++) {
            for (int j = 0; j < w * p; j++) {
                for (int c = 0; c < ch; c++) {
                    int o = ((i / p) * w + j / p) * ch + c;
                    y[o] = Math.max(y[o], x.v()[(i * x.shape()[1] + j) * ch + c]);
                }
            }
        }
        return new Tensor(y, new int[] { h, w, ch });
    }

    private static Tensor globalAverage1d(Tensor x) {
        int steps = x.shape()[0];
        int ch = x.shape()[1];
        double[] y = new double[ch];
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < ch; c++) {
                y[c] += x.v()[t * ch + c] / steps;
            }
        }
        return new Tensor(y, new int[] { ch });
    }

    /**
     * Keras GRU, gates z, r, h. reset_after=True: the recurrent bias in the bias's second row and
     * r applied after the recurrent product; False: one bias, r applied to h before it.
     */
    private static Tensor gru(Tensor x, List<double[]> w, JsonObject c) {
        boolean resetAfter = !c.has("reset_after") || c.get("reset_after").getAsBoolean();
        int steps = x.shape()[0];
        int in = x.shape()[1];
        int u = c.get("units").getAsInt();
        double[] h = new double[u];
        double[] kernel = w.get(0);
        double[] rec = w.get(1);
        double[] bias = w.get(2);
        for (int t = 0; t < steps; t++) {
            double[] xp = new double[3 * u];
            double[] hp = new double[3 * u];
            for (int g = 0; g < 3 * u; g++) {
                xp[g] = bias[g];
                hp[g] = resetAfter ? bias[3 * u + g] : 0;
                for (int i = 0; i < in; i++) {
                    xp[g] += x.v()[t * in + i] * kernel[i * 3 * u + g];
                }
                for (int j = 0; j < u && (resetAfter || g < 2 * u); j++) {
                    hp[g] += h[j] * rec[j * 3 * u + g];
                }
            }
            double[] next = new double[u];
            double[] r = new double[u];
            for (int j = 0; j < u; j++) {
                r[j] = sigmoid(xp[u + j] + hp[u + j]);
            }
            for (int j = 0; j < u; j++) {
                double z = sigmoid(xp[j] + hp[j]);
                double recurrent = 0;
                if (resetAfter) {
                    recurrent = r[j] * hp[2 * u + j];
                } else {
                    for (int k = 0; k < u; k++) {
                        recurrent += r[k] * h[k] * rec[k * 3 * u + 2 * u + j];
                    }
                }
                double hh = Math.tanh(xp[2 * u + j] + recurrent);
                next[j] = z * h[j] + (1 - z) * hh;
            }
            h = next;
        }
        return new Tensor(h, new int[] { u });
    }

    /** Keras LSTM: gates i, f, c, o; sigmoid and tanh. */
    private static Tensor lstm(Tensor x, List<double[]> w, JsonObject c) {
        int steps = x.shape()[0];
        int in = x.shape()[1];
        int u = c.get("units").getAsInt();
        double[] h = new double[u];
        double[] cell = new double[u];
        double[] sequence = new double[steps * u];
        for (int t = 0; t < steps; t++) {
            double[] z = new double[4 * u];
            for (int g = 0; g < 4 * u; g++) {
                z[g] = w.get(2)[g];
                for (int i = 0; i < in; i++) {
                    z[g] += x.v()[t * in + i] * w.get(0)[i * 4 * u + g];
                }
                for (int j = 0; j < u; j++) {
                    z[g] += h[j] * w.get(1)[j * 4 * u + g];
                }
            }
            for (int j = 0; j < u; j++) {
                cell[j] = sigmoid(z[u + j]) * cell[j] + sigmoid(z[j]) * Math.tanh(z[2 * u + j]);
                h[j] = sigmoid(z[3 * u + j]) * Math.tanh(cell[j]);
            }
            System.arraycopy(h, 0, sequence, t * u, u);
        }
        return output(h, sequence, steps, c);
    }

    private static Tensor simpleRnn(Tensor x, List<double[]> w, JsonObject c) {
        int steps = x.shape()[0];
        int in = x.shape()[1];
        int u = c.get("units").getAsInt();
        double[] h = new double[u];
        double[] sequence = new double[steps * u];
        for (int t = 0; t < steps; t++) {
            double[] next = new double[u];
            for (int j = 0; j < u; j++) {
                double s = w.get(2)[j];
                for (int i = 0; i < in; i++) {
                    s += x.v()[t * in + i] * w.get(0)[i * u + j];
                }
                for (int k = 0; k < u; k++) {
                    s += h[k] * w.get(1)[k * u + j];
                }
                next[j] = apply(c.get("activation").getAsString(), s);
            }
            h = next;
            System.arraycopy(h, 0, sequence, t * u, u);
        }
        return output(h, sequence, steps, c);
    }

    /** A recurrent layer's output: every step's state with return_sequences, else the last one. */
    private static Tensor output(double[] last, double[] sequence, int steps, JsonObject c) {
        boolean all = c.has("return_sequences") && c.get("return_sequences").getAsBoolean();
        return all ? new Tensor(sequence, new int[] { steps, last.length }) : new Tensor(last, new int[] { last.length });
    }

    /**
     * Keras Bidirectional: the wrapped layer on the sequence and a copy on the reversed sequence
     * (its step outputs reversed back), merged by concatenation, sum, product or average.
     */
    private static Tensor bidirectional(Tensor x, List<double[]> w, JsonObject c) {
        JsonObject layer = c.getAsJsonObject("layer");
        JsonObject inner = layer.getAsJsonObject("config");
        String innerClass = layer.get("class_name").getAsString();
        java.util.function.BiFunction<Tensor, List<double[]>, Tensor> run = innerClass.equals("LSTM") ? (t, v) -> lstm(t, v, inner)
                : (t, v) -> simpleRnn(t, v, inner);
        int half = w.size() / 2;
        Tensor forward = run.apply(x, w.subList(0, half));
        Tensor backward = run.apply(reverseTime(x), w.subList(half, w.size()));
        if (backward.shape().length == 2) {
            backward = reverseTime(backward);
        }
        String mode = c.get("merge_mode").getAsString();
        if (mode.equals("concat")) {
            int u = forward.shape()[forward.shape().length - 1];
            int rows = forward.v().length / u;
            double[] y = new double[2 * forward.v().length];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(forward.v(), r * u, y, r * 2 * u, u);
                System.arraycopy(backward.v(), r * u, y, r * 2 * u + u, u);
            }
            int[] shape = forward.shape().clone();
            shape[shape.length - 1] = 2 * u;
            return new Tensor(y, shape);
        }
        double[] y = new double[forward.v().length];
        for (int i = 0; i < y.length; i++) {
            double f = forward.v()[i];
            double b = backward.v()[i];
            y[i] = switch (mode) {
            case "sum" -> f + b;
            case "mul" -> f * b;
            case "ave" -> (f + b) / 2;
            default -> throw new IllegalArgumentException("merge_mode " + mode);
            };
        }
        return new Tensor(y, forward.shape());
    }

    private static Tensor reverseTime(Tensor x) {
        int steps = x.shape()[0];
        int width = x.v().length / steps;
        double[] y = new double[x.v().length];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(x.v(), t * width, y, (steps - 1 - t) * width, width);
        }
        return new Tensor(y, x.shape());
    }

    private static Tensor activate(Tensor x, JsonObject c) {
        String a = c.get("activation").getAsString();
        double[] y = x.v().clone();
        if (a.equals("softmax")) {
            double max = java.util.Arrays.stream(y).max().orElse(0);
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.exp(y[i] - max);
                sum += y[i];
            }
            for (int i = 0; i < y.length; i++) {
                y[i] /= sum;
            }
        } else {
            for (int i = 0; i < y.length; i++) {
                y[i] = apply(a, y[i]);
            }
        }
        return new Tensor(y, x.shape());
    }

    private static double apply(String activation, double v) {
        return switch (activation) {
        case "relu" -> Math.max(0, v);
        case "sigmoid" -> sigmoid(v);
        case "tanh" -> Math.tanh(v);
        case "linear" -> v;
        default -> throw new IllegalArgumentException("the reference pass has no activation " + activation);
        };
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
