package org.daig.trainer.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.trainer.TrainLocal;
import org.daig.trainer.TrainerException;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpyWriter;
import org.daig.trainer.data.TrainingData;
import org.daig.trainer.experts.ExpertsModelFile;
import org.daig.trainer.keras.KerasExport;
import org.daig.trainer.keras.KerasMlp;
import org.daig.trainer.keras.KerasModelFile;
import org.daig.trainer.keras.TrainableModel;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainer's commands, which need Deeplearning4j. The {@code daig} command line
 * (org.daig.cli) parses and checks them, then runs this class in a JVM on the trainer runtime:
 * <pre>
 * model inspect MODEL.h5
 * model predict MODEL(.h5|.zip) --input X.npy --output Y.npy   (.zip: a DL4J model, or an experts model: ExpertsModelFile)
 * model make-mlp --out M.h5 --inputs N --outputs K [--hidden 64,32] [--loss L] [--optimizer O] [--lr R] [--seed S]
 * model reinit MODEL --out M.keras|M.h5 [--seed S]
 * model evaluate MODEL(.h5|.zip) --x X.npy --y Y.npy
 * train-local --model M.h5 --x X.npy --y Y.npy --epochs N --batch B [--test-x X --test-y Y] [--seed S] [--out DIR]
 * data fashion-mnist [--from DIR] --out DIR
 * experts host --uids ffn.0.0,ffn.0.1 ... | experts train --x X.npy --y Y.npy --bootstrap HOST:PORT ...   (docs/experts.md)
 * </pre>
 * The requestor's commands (submit, watch, download, ...) are not here: they live in org.daig.cli.
 * Exit status: 0 done (for inspect: trainable here), 1 a problem with the input (one message
 * naming the file and the fix), 2 a usage error.
 */
public final class TrainerCli {

    private final PrintStream out;

    TrainerCli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        org.daig.trainer.SameDiffNoise.install();
        System.exit(new TrainerCli(System.out).run(args));
    }

    int run(String[] args) {
        try {
            if (args.length >= 2 && args[0].equals("model")) {
                String[] rest = Arrays.copyOfRange(args, 2, args.length);
                return switch (args[1]) {
                case "inspect" -> inspect(new Options(rest, COMPILE));
                case "predict" -> predict(new Options(rest, with(COMPILE, "input", "output")));
                case "make-mlp" -> makeMlp(new Options(rest, Set.of("out", "inputs", "outputs", "hidden", "loss", "optimizer", "lr", "seed")));
                case "reinit" -> reinit(new Options(rest, with(COMPILE, "out", "seed")));
                case "evaluate" -> evaluate(new Options(rest, with(COMPILE, "x", "y")));
                default -> usage("unknown command 'model " + args[1] + "'");
                };
            }
            if (args.length >= 1 && args[0].equals("train-local")) {
                return trainLocal(new Options(Arrays.copyOfRange(args, 1, args.length),
                        with(COMPILE, "model", "x", "y", "epochs", "batch", "test-x", "test-y", "seed", "out")));
            }
            if (args.length >= 2 && args[0].equals("experts")) {
                String[] rest = Arrays.copyOfRange(args, 2, args.length);
                return switch (args[1]) {
                case "host" -> {
                    org.daig.trainer.experts.ExpertHostMain.main(rest); // serves until the process is stopped
                    yield 0;
                }
                case "train" -> org.daig.trainer.experts.MoeTrainer.run(rest);
                default -> usage("unknown command 'experts " + args[1] + "'");
                };
            }
            if (args.length >= 2 && args[0].equals("data") && args[1].equals("fashion-mnist")) {
                return fashionMnist(new Options(Arrays.copyOfRange(args, 2, args.length), Set.of("from", "out")));
            }
            return usage(args.length == 0 ? null : "unknown command '" + String.join(" ", args) + "'");
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (TrainerException | IllegalArgumentException e) {
            System.err.println("daig: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("daig: failed: " + e);
            return 1;
        }
    }

    /** The options naming how a model saved without them is trained (CompileSettings). */
    private static final Set<String> COMPILE = Set.of("loss", "optimizer", "lr");

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> all = new java.util.HashSet<>(base);
        all.addAll(Arrays.asList(more));
        return all;
    }

    private static org.daig.trainer.keras.CompileSettings compile(Options options) throws UsageException {
        Double lr = null;
        if (options.has("lr")) {
            try {
                lr = Double.valueOf(options.get("lr"));
            } catch (NumberFormatException e) {
                throw new UsageException("--lr must be a number, e.g. 0.001");
            }
        }
        return new org.daig.trainer.keras.CompileSettings(options.get("loss"), options.get("optimizer"), lr);
    }

    private int inspect(Options options) throws TrainerException, UsageException {
        Path file = Path.of(options.positionalOrRequired(0, "MODEL"));
        org.daig.trainer.keras.CompileSettings compile = compile(options);
        KerasModelFile checked;
        try {
            checked = KerasModelFile.read(file, compile);
        } catch (TrainerException e) {
            out.println("model:      " + file);
            out.println("trainable:  no — " + e.getMessage());
            out.println("backend:    " + backend());
            return 1;
        }
        checked.close();
        TrainableModel model;
        try {
            model = TrainableModel.load(file, compile);
        } catch (TrainerException e) {
            out.println("model:      " + file + " (Keras " + checked.kerasVersion() + ", " + checked.modelClass() + ")");
            out.println("trainable:  no — " + e.getMessage());
            out.println("backend:    " + backend());
            return 1;
        }
        out.println("model:      " + file + " (Keras " + checked.kerasVersion() + ", " + checked.backend() + " backend, "
                + checked.modelClass() + ")");
        out.println("input:      " + shape(checked.inputShape()));
        out.println("output:     " + model.outputSize() + " values per sample");
        out.printf("parameters: %,d%n", model.numParams());
        out.println("loss:       " + checked.lossName());
        out.println("optimizer:  " + checked.optimizerName());
        out.println("trainable:  yes");
        out.println("backend:    " + backend());
        out.println(model.summary());
        return 0;
    }

    private int predict(Options options) throws Exception {
        Path modelFile = Path.of(options.positionalOrRequired(0, "MODEL"));
        Path input = Path.of(options.required("input"));
        Path output = Path.of(options.required("output"));
        INDArray result;
        if (ExpertsModelFile.isExpertsModel(modelFile)) {
            try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(input)) {
                result = ExpertsModelFile.read(modelFile).predict(samples(x));
            }
        } else if (modelFile.toString().endsWith(".zip")) {
            Model model = restoreZip(modelFile);
            try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(input)) {
                INDArray features = Nd4j.create(x.readFloats(0, x.rows()), x.shape(), 'c');
                result = model instanceof MultiLayerNetwork n ? n.output(features, false)
                        : ((ComputationGraph) model).outputSingle(false, features);
            }
        } else {
            TrainableModel model = TrainableModel.load(modelFile, compile(options));
            try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(input)) {
                result = model.output(TrainingData.features(model, x, 0, x.rows()));
            }
        }
        float[] values = result.dup('c').castTo(DataType.FLOAT).data().asFloat();
        NpyWriter.writeFloat32(output, result.shape(), values);
        out.println("wrote " + output + " " + Arrays.toString(result.shape()));
        return 0;
    }

    /** Loss-free check of a trained model: accuracy of its predictions against class ids or one-hot labels. */
    private int evaluate(Options options) throws Exception {
        Path modelFile = Path.of(options.positionalOrRequired(0, "MODEL"));
        Path input = Path.of(options.required("x"));
        INDArray predictions;
        try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(input)) {
            if (ExpertsModelFile.isExpertsModel(modelFile)) {
                predictions = ExpertsModelFile.read(modelFile).predict(samples(x));
            } else if (modelFile.toString().endsWith(".zip")) {
                Model model = restoreZip(modelFile);
                INDArray features = Nd4j.create(x.readFloats(0, x.rows()), x.shape(), 'c');
                predictions = model instanceof MultiLayerNetwork n ? n.output(features, false)
                        : ((ComputationGraph) model).outputSingle(false, features);
            } else {
                TrainableModel model = TrainableModel.load(modelFile, compile(options));
                predictions = model.output(TrainingData.features(model, x, 0, x.rows()));
            }
        }
        try (NpyArray y = org.daig.trainer.data.NpzArchive.openAny(Path.of(options.required("y")))) {
            float[] labels = y.readFloats(0, y.rows());
            long rows = predictions.rows();
            if (y.rows() != rows) {
                throw new TrainerException(y.file() + " has " + y.rows() + " labels for " + rows + " samples");
            }
            long right = 0;
            for (int i = 0; i < rows; i++) {
                long predicted = predictions.getRow(i).argMax().getLong(0);
                long truth = y.rowElements() == 1 ? (long) labels[i] : argmax(labels, i * (int) y.rowElements(), (int) y.rowElements());
                right += predicted == truth ? 1 : 0;
            }
            out.printf(java.util.Locale.ROOT, "accuracy: %.4f (%d of %d samples)%n", (double) right / rows, right, rows);
        }
        return 0;
    }

    /** All samples as [samples, values per sample] (an image's pixels in one row), for models that take flat rows. */
    private static INDArray samples(NpyArray x) throws TrainerException {
        return Nd4j.create(x.readFloats(0, x.rows()), new long[] {x.rows(), x.rowElements()}, 'c');
    }

    private static long argmax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Debian's Fashion-MNIST (dataset-fashion-mnist, IDX gzip) as .npy. */
    private int fashionMnist(Options options) throws Exception {
        Path from = Path.of(options.getOr("from", "/usr/share/datasets/fashion-mnist"));
        Path dir = Path.of(options.required("out"));
        if (!Files.isDirectory(from)) {
            throw new TrainerException(from + ": no Fashion-MNIST here; install it with: sudo apt-get install dataset-fashion-mnist");
        }
        Files.createDirectories(dir);
        org.daig.trainer.data.IdxFiles.toNpy(org.daig.trainer.data.IdxFiles.find(from, "train-images"),
                org.daig.trainer.data.IdxFiles.find(from, "train-labels"), dir.resolve("train_x.npy"), dir.resolve("train_y.npy"));
        org.daig.trainer.data.IdxFiles.toNpy(org.daig.trainer.data.IdxFiles.find(from, "t10k-images"),
                org.daig.trainer.data.IdxFiles.find(from, "t10k-labels"), dir.resolve("test_x.npy"), dir.resolve("test_y.npy"));
        out.println("wrote " + dir + "/{train,test}_{x,y}.npy (float32 images in [0,1], int64 class ids)");
        return 0;
    }

    private static Model restoreZip(Path file) throws TrainerException {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (Exception notSequential) {
            try {
                return ModelSerializer.restoreComputationGraph(file.toFile(), false);
            } catch (Exception e) {
                throw new TrainerException(file + ": is not a DL4J model zip (" + e.getMessage() + ")", e);
            }
        }
    }

    private int makeMlp(Options options) throws Exception {
        Path file = Path.of(options.required("out"));
        int[] hidden = options.has("hidden") ? Arrays.stream(options.get("hidden").split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] { 64 };
        int outputs = options.intValue("outputs");
        String loss = options.getOr("loss", outputs > 1 ? "sparse_categorical_crossentropy" : "mean_squared_error");
        KerasMlp mlp = new KerasMlp(options.intValue("inputs"), hidden, outputs, "relu",
                loss.contains("categorical") ? "softmax" : "linear", loss, options.getOr("optimizer", "Adam"),
                Double.parseDouble(options.getOr("lr", "0.001")));
        mlp.write(file, Long.parseLong(options.getOr("seed", "1")));
        out.println("wrote " + file);
        return 0;
    }

    /** The model with fresh weights, written in the format its name ends with (.keras from a .keras, else .h5). */
    private int reinit(Options options) throws Exception {
        Path file = Path.of(options.positionalOrRequired(0, "MODEL"));
        Path target = Path.of(options.required("out"));
        TrainableModel model = TrainableModel.load(file, compile(options));
        model.reinitialize(Long.parseLong(options.getOr("seed", "1")));
        if (target.getFileName().toString().endsWith(".keras")) {
            if (!model.source().isArchive()) {
                throw new TrainerException(file + " is not a .keras file: write an .h5 instead (--out NAME.h5)");
            }
            org.daig.trainer.keras.Keras3Export.write(model, target);
        } else {
            KerasExport.write(model, target);
        }
        out.printf("wrote %s: %s with fresh weights (%,d parameters)%n", target, file.getFileName(), model.numParams());
        return 0;
    }

    private int trainLocal(Options options) throws Exception {
        Path testX = options.has("test-x") ? Path.of(options.get("test-x")) : null;
        Path testY = options.has("test-y") ? Path.of(options.get("test-y")) : null;
        if ((testX == null) != (testY == null)) {
            throw new UsageException("--test-x and --test-y go together");
        }
        TrainLocal.run(Path.of(options.required("model")), compile(options), Path.of(options.required("x")),
                Path.of(options.required("y")), options.intValue("epochs"), options.intValue("batch"), testX, testY,
                Long.parseLong(options.getOr("seed", "1")), options.has("out") ? Path.of(options.get("out")) : null, out);
        return 0;
    }

    static String backend() {
        String name = Nd4j.getBackend().getClass().getSimpleName();
        return name.contains("Cuda") || name.contains("CUDA") ? "CUDA (" + name + ")" : "CPU (" + name + ")";
    }

    private static String shape(long[] dims) {
        if (dims == null) {
            return "not stated in the file";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? "any" : Long.toString(dims[i]));
        }
        return s.append(") per sample").toString();
    }

    private int usage(String problem) {
        if (problem != null) {
            System.err.println("daig: " + problem);
        }
        System.err.println(String.join("\n",
                "usage: daig model inspect MODEL.h5",
                "       daig model predict MODEL(.h5|.zip) --input X.npy --output Y.npy",
                "       daig model make-mlp --out M.h5 --inputs N --outputs K [--hidden 64,32] [--loss L] [--optimizer O] [--lr R] [--seed S]",
                "       daig model reinit MODEL --out M.keras|M.h5 [--seed S]",
                "       daig model evaluate MODEL(.h5|.zip) --x X.npy --y Y.npy",
                "       daig train-local --model M.h5 --x X.npy --y Y.npy --epochs N --batch B",
                "                        [--test-x X.npy --test-y Y.npy] [--seed S] [--out DIR]",
                "       daig data fashion-mnist [--from /usr/share/datasets/fashion-mnist] --out DIR"));
        return 2;
    }

    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} options and positional arguments. */
    static final class Options {
        private final Map<String, String> values = new HashMap<>();
        private final List<String> positional = new java.util.ArrayList<>();

        Options(String[] args, Set<String> known) throws UsageException {
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith("--")) {
                    String name = args[i].substring(2);
                    if (!known.contains(name)) {
                        throw new UsageException("unknown option --" + name);
                    }
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    values.put(name, args[++i]);
                } else {
                    positional.add(args[i]);
                }
            }
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name) {
            return values.get(name);
        }

        String getOr(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        String required(String name) throws UsageException {
            String value = values.get(name);
            if (value == null) {
                throw new UsageException("--" + name + " is required");
            }
            return value;
        }

        String positionalOrRequired(int index, String what) throws UsageException {
            if (index < positional.size()) {
                return positional.get(index);
            }
            throw new UsageException(what + " is required");
        }

        int intValue(String name) throws UsageException {
            String value = required(name);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be a whole number, not '" + value + "'");
            }
        }
    }
}
