package org.daig.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The trainer's commands. They need Deeplearning4j, which this JVM does not have: each one's
 * options are parsed and checked here (usage errors exit 2 before any JVM starts), then the
 * trainer's own entry point runs them in a JVM on the trainer runtime ({@link TrainerProcess}).
 */
final class TrainerCommands {

    private TrainerCommands() {
    }

    /** A trainer command: checked here, run by the trainer. */
    abstract static class TrainerCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public final Integer call() throws Exception {
            List<String> args = new ArrayList<>();
            arguments(args);
            return finished(Commands.context(spec).trainer().run(Commands.context(spec), args));
        }

        /** The trainer's command line for this command (org.daig.trainer.cli.TrainerCli's syntax). */
        abstract void arguments(List<String> args) throws Exception;

        /** What happens after the trainer exited with {@code code}; answers the command's exit status. */
        int finished(int code) throws Exception {
            return code;
        }

        void atLeast(String option, long value, long least) {
            if (value < least) {
                throw new ParameterException(spec.commandLine(), option + " must be at least " + least + ", not " + value);
            }
        }

        static void add(List<String> args, String option, Object value) {
            if (value != null) {
                args.add(option);
                args.add(value.toString());
            }
        }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Keras models: inspect, predict, make an MLP, draw a model's weights afresh, evaluate.",
            subcommands = { Inspect.class, Predict.class, MakeMlp.class, Reinit.class, Evaluate.class })
    static final class Model implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "which one? inspect, predict, make-mlp, reinit or evaluate");
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = { "Shows what a Keras model file is and whether the grid can train it.",
                    "Exits 0 when it is trainable here, 1 when not (the reason is printed)." })
    static final class Inspect extends TrainerCommand {
        @Parameters(index = "0", paramLabel = "MODEL", description = "the Keras model file (.keras, or .h5 from Keras 2 or 3)")
        Path model;

        @Mixin
        CompileOptions compile;

        @Override
        void arguments(List<String> args) {
            args.addAll(List.of("model", "inspect", model.toString()));
            compile.addTo(args);
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs a model on samples and writes its outputs (float32 .npy).")
    static final class Predict extends TrainerCommand {
        @Parameters(index = "0", paramLabel = "MODEL",
                description = "a Keras model (.keras, .h5), a DL4J model (.zip) or a mixture-of-experts model (.zip, docs/experts.md)")
        Path model;

        @Option(names = "--input", required = true, paramLabel = "X.npy", description = "the samples (.npy or .npz)")
        Path input;

        @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "where the outputs go")
        Path output;

        @Mixin
        CompileOptions compile;

        @Override
        void arguments(List<String> args) {
            args.addAll(List.of("model", "predict", model.toString()));
            add(args, "--input", input);
            add(args, "--output", output);
            compile.addTo(args);
        }
    }

    @Command(name = "make-mlp", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Writes a new Keras MLP (.h5) that the grid can train.")
    static final class MakeMlp extends TrainerCommand {
        @Option(names = "--out", required = true, paramLabel = "M.h5", description = "the model file to write")
        Path out;

        @Option(names = "--inputs", required = true, paramLabel = "N", description = "input values per sample")
        int inputs;

        @Option(names = "--outputs", required = true, paramLabel = "K", description = "output values (classes) per sample")
        int outputs;

        @Option(names = "--hidden", split = ",", paramLabel = "SIZES", description = "hidden layer sizes, e.g. 64,32 (default: 64)")
        List<Integer> hidden;

        @Option(names = "--loss", paramLabel = "LOSS",
                description = "Keras loss (default: sparse_categorical_crossentropy for K > 1, else mean_squared_error)")
        String loss;

        @Option(names = "--optimizer", paramLabel = "OPTIMIZER", description = "Keras optimizer (default: Adam)")
        String optimizer;

        @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (default: 0.001)")
        Double lr;

        @Option(names = "--seed", paramLabel = "S", description = "seed of the initial weights (default: 1)")
        Long seed;

        @Override
        void arguments(List<String> args) {
            atLeast("--inputs", inputs, 1);
            atLeast("--outputs", outputs, 1);
            if (hidden != null) {
                hidden.forEach(size -> atLeast("--hidden", size, 1));
            }
            args.addAll(List.of("model", "make-mlp"));
            add(args, "--out", out);
            add(args, "--inputs", inputs);
            add(args, "--outputs", outputs);
            add(args, "--hidden", hidden == null ? null : hidden.stream().map(String::valueOf).collect(Collectors.joining(",")));
            add(args, "--loss", loss);
            add(args, "--optimizer", optimizer);
            add(args, "--lr", lr);
            add(args, "--seed", seed);
        }
    }

    @Command(name = "reinit", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Writes a model with the same architecture and fresh weights (each layer's initializer), e.g. to train it from scratch.")
    static final class Reinit extends TrainerCommand {
        @Parameters(index = "0", paramLabel = "MODEL", description = "the Keras model file (.keras, or .h5 from Keras 2 or 3)")
        Path model;

        @Option(names = "--out", required = true, paramLabel = "M.keras|M.h5", description = "the model file to write (.keras from a .keras only)")
        Path out;

        @Option(names = "--seed", paramLabel = "S", description = "seed of the fresh weights (default: 1)")
        Long seed;

        @Mixin
        CompileOptions compile;

        @Override
        void arguments(List<String> args) {
            args.addAll(List.of("model", "reinit", model.toString()));
            add(args, "--out", out);
            add(args, "--seed", seed);
            compile.addTo(args);
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Prints a model's accuracy on samples and their labels.")
    static final class Evaluate extends TrainerCommand {
        @Parameters(index = "0", paramLabel = "MODEL",
                description = "a Keras model (.keras, .h5), a DL4J model (.zip) or a mixture-of-experts model (.zip, docs/experts.md)")
        Path model;

        @Option(names = "--x", required = true, paramLabel = "X.npy", description = "the samples")
        Path x;

        @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "their labels: class ids or one-hot rows")
        Path y;

        @Mixin
        CompileOptions compile;

        @Override
        void arguments(List<String> args) {
            args.addAll(List.of("model", "evaluate", model.toString()));
            add(args, "--x", x);
            add(args, "--y", y);
            compile.addTo(args);
        }
    }

    @Command(name = "train-local", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Trains a Keras model on this machine, as one provider would.",
                    "OMP_NUM_THREADS (default 1) and DAIG_TRAINER_HEAP (default 2g) cap the trainer." })
    static final class TrainLocal extends TrainerCommand {
        @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the Keras model to train (.keras or .h5)")
        Path model;

        @Option(names = "--x", required = true, paramLabel = "X.npy", description = "the training samples")
        Path x;

        @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "their labels")
        Path y;

        @Option(names = "--epochs", required = true, paramLabel = "N", description = "epochs")
        int epochs;

        @Option(names = "--batch", required = true, paramLabel = "B", description = "batch size")
        int batch;

        @Option(names = "--test-x", paramLabel = "X.npy", description = "test samples, evaluated after each epoch (with --test-y)")
        Path testX;

        @Option(names = "--test-y", paramLabel = "Y.npy", description = "their labels (with --test-x)")
        Path testY;

        @Option(names = "--seed", paramLabel = "S", description = "random seed (default: 1)")
        Long seed;

        @Option(names = "--out", paramLabel = "DIR", description = "where the trained model goes")
        Path out;

        @Mixin
        CompileOptions compile;

        @Override
        void arguments(List<String> args) {
            atLeast("--epochs", epochs, 1);
            atLeast("--batch", batch, 1);
            if ((testX == null) != (testY == null)) {
                throw new ParameterException(spec.commandLine(), "--test-x and --test-y go together");
            }
            args.add("train-local");
            add(args, "--model", model);
            add(args, "--x", x);
            add(args, "--y", y);
            add(args, "--epochs", epochs);
            add(args, "--batch", batch);
            add(args, "--test-x", testX);
            add(args, "--test-y", testY);
            add(args, "--seed", seed);
            add(args, "--out", out);
            compile.addTo(args);
        }
    }

    @Command(name = "data", mixinStandardHelpOptions = true, description = "Data sets as .npy files.",
            subcommands = FashionMnist.class)
    static final class Data implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "which data set? fashion-mnist");
        }
    }

    @Command(name = "fashion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist) as train_x/train_y/test_x/test_y .npy.")
    static final class FashionMnist extends TrainerCommand {
        @Option(names = "--from", paramLabel = "DIR", defaultValue = "/usr/share/datasets/fashion-mnist",
                description = "where the IDX files are (default: ${DEFAULT-VALUE})")
        Path from;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the .npy files go")
        Path out;

        @Override
        void arguments(List<String> args) {
            args.addAll(List.of("data", "fashion-mnist"));
            add(args, "--from", from);
            add(args, "--out", out);
        }
    }
}
