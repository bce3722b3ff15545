// Trainer benchmarks (issue 3): delta and apply on 1M/10M parameters, update encode/decode
// against a raw copy of the same bytes, worker start-up, and train-local step time on digits
// and Fashion-MNIST. Ratios are taken against a baseline measured in the same process; each
// vector op is warmed up 30 times (fewer left the 1M loops interpreted on some runs).
//
//   releng/bench/trainer-bench.sh        (builds the trainer if needed; see docs/measurements.md)
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.daig.trainer.TrainLocal;
import org.daig.trainer.data.IdxFiles;
import org.daig.trainer.keras.KerasMlp;
import org.daig.api.trainer.Worker;
import org.daig.trainer.launcher.ProcessWorker;
import org.daig.wire.Frames;


public class TrainerBench {

    interface Op {
        void run();
    }

    /** Median nanoseconds of one run, after warm-up. */
    static double median(Op op, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            op.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared/data");
        Path work = Path.of(args.length > 1 ? args[1] : "work/bench");
        Files.createDirectories(work);
        System.out.printf("machine: %d cores, Java %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        vectors();
        workerStartup(work);
        stepTimes(shared, work);
    }

    static void vectors() {
        Random random = new Random(1);
        System.out.println("| vector op | params | median | GB/s | ratio to memcpy of the same bytes |");
        System.out.println("|---|---|---|---|---|");
        for (int n : new int[] { 1_000_000, 10_000_000 }) {
            float[] before = new float[n];
            float[] after = new float[n];
            for (int i = 0; i < n; i++) {
                before[i] = random.nextFloat();
                after[i] = before[i] + random.nextFloat() * 1e-3f;
            }
            float[] delta = new float[n];
            double copy = median(() -> System.arraycopy(after, 0, delta, 0, n), 30, 21);
            double diff = median(() -> {
                for (int i = 0; i < n; i++) {
                    delta[i] = after[i] - before[i];
                }
            }, 30, 21);
            float[] params = before.clone();
            double apply = median(() -> {
                for (int i = 0; i < n; i++) {
                    params[i] += delta[i];
                }
            }, 30, 21);
            byte[] bytes = Frames.encode(delta);
            byte[] byteCopy = new byte[bytes.length];
            double rawBytes = median(() -> System.arraycopy(bytes, 0, byteCopy, 0, bytes.length), 30, 21);
            double encode = median(() -> sink = Frames.encode(delta), 30, 21);
            double decode = median(() -> sink = Frames.decode(bytes), 30, 21);
            row("copy float[] (baseline)", n, copy, copy);
            row("delta = after - before", n, diff, copy);
            row("apply params += delta", n, apply, copy);
            row("copy byte[] (baseline)", n, rawBytes, rawBytes);
            row("encode float32 -> LE bytes", n, encode, rawBytes);
            row("decode LE bytes -> float32", n, decode, rawBytes);
        }
        System.out.println();
    }

    static void row(String what, int n, double ns, double baseline) {
        System.out.printf("| %s | %,d | %.2f ms | %.1f | %.2f |%n", what, n, ns / 1e6, n * 4.0 / ns, ns / baseline);
    }

    static List<Path> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
    }

    static void workerStartup(Path work) throws Exception {
        Path model = work.resolve("digits-mlp.h5");
        new KerasMlp(64, new int[] { 64, 32 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.001).write(model, 1);
        List<Double> hello = new ArrayList<>();
        List<Double> loaded = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            try (Worker w = ProcessWorker.start(new ProcessWorker.Options(Path.of(System.getProperty("java.home"), "bin", "java"),
                    classPath(), "1g", 1, true, work.resolve("worker")))) {
                w.call("hello", java.util.Map.of(), new float[0]);
                hello.add((System.nanoTime() - start) / 1e9);
                w.call("load", java.util.Map.of("model", model.toString()), new float[0]);
                loaded.add((System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf("worker start to first answer (JVM + ND4J backend): median %.2f s, runs %s%n", med(hello), hello);
        System.out.printf("worker start to model loaded (digits MLP): median %.2f s, runs %s%n%n", med(loaded), loaded);
    }

    static double med(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    static void stepTimes(Path shared, Path work) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path digits = shared.resolve("digits");
        if (Files.isRegularFile(digits.resolve("train_x.npy"))) {
            Path model = work.resolve("digits-mlp.h5");
            TrainLocal.Result r = TrainLocal.run(model, digits.resolve("train_x.npy"), digits.resolve("train_y.npy"), 5, 32,
                    digits.resolve("test_x.npy"), digits.resolve("test_y.npy"), 1, null, quiet);
            System.out.printf("train-local digits, MLP 64-64-32-10 (6,570 params), batch 32, 5 epochs: %.2f ms/step (%d steps, %.1f s), test accuracy %.4f%n",
                    r.seconds() * 1000 / r.steps(), r.steps(), r.seconds(), r.testAccuracy());
        } else {
            System.out.println("digits: ../shared/data/digits is absent, skipped");
        }
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        if (!Files.isDirectory(fashion)) {
            System.out.println("Fashion-MNIST: not installed (apt-get install dataset-fashion-mnist), skipped");
            return;
        }
        Path x = work.resolve("fashion_train_x.npy");
        Path y = work.resolve("fashion_train_y.npy");
        Path tx = work.resolve("fashion_test_x.npy");
        Path ty = work.resolve("fashion_test_y.npy");
        IdxFiles.toNpy(IdxFiles.find(fashion, "train-images"), IdxFiles.find(fashion, "train-labels"), x, y);
        IdxFiles.toNpy(IdxFiles.find(fashion, "t10k-images"), IdxFiles.find(fashion, "t10k-labels"), tx, ty);
        Path model = work.resolve("fashion-mlp.h5");
        new KerasMlp(784, new int[] { 256, 128 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.001).write(model, 1);
        TrainLocal.Result r = TrainLocal.run(model, x, y, 2, 64, tx, ty, 1, null, quiet);
        System.out.printf("train-local Fashion-MNIST, MLP 784-256-128-10 (235,146 params), batch 64, 2 epochs: %.2f ms/step (%d steps, %.1f s), test accuracy %.4f%n",
                r.seconds() * 1000 / r.steps(), r.steps(), r.seconds(), r.testAccuracy());
    }
}
