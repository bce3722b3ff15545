package org.daig.trainer.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.trainer.SharedData;
import org.daig.trainer.data.NpyWriter;
import org.daig.trainer.keras.KerasMlp;
import org.daig.trainer.launcher.ProcessWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real worker JVMs started by the launcher bundle's ProcessWorker on this module's class path: a
 * task returns its delta; a killed or out-of-memory worker is a failed task with a reason.
 */
class WorkerProcessTest {

    @TempDir
    Path dir;
    private Worker worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    private Worker start(String heap) throws Exception {
        worker = start(heap, 1);
        return worker;
    }

    private static Worker start(String heap, int threads) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> entries = Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
        return ProcessWorker.start(new ProcessWorker.Options(Path.of(System.getProperty("java.home"), "bin", "java"),
                entries, heap, threads, true, Path.of("target/worker")));
    }

    /**
     * The coordinator replays a volunteer's task with the volunteer's thread count: a 2-thread
     * worker told to use 1 thread gives the 1-thread worker's update bit for bit (the demo's MLP),
     * says which count it used, and goes back to its own. ThreadsTest checks that the count is set.
     */
    @Test
    void aReplayWithTheVolunteersThreadCountIsBitExact() throws Exception {
        Path model = dir.resolve("demo-mlp.h5");
        new org.daig.trainer.keras.KerasMlp(784, new int[] { 256, 128 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam",
                0.001).write(model, 1);
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] features = new float[512 * 784];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextDouble();
        }
        long[] labels = new long[512];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Path x = dir.resolve("x784.npy");
        Path y = dir.resolve("y784.npy");
        org.daig.trainer.data.NpyWriter.writeFloat32(x, new long[] { 512, 784 }, features);
        org.daig.trainer.data.NpyWriter.writeInt64(y, new long[] { 512 }, labels);
        Map<String, Object> task = fields("x", x, "y", y, "from", 0, "to", 512, "epochs", 3, "batch", 32, "seed", 5);
        worker = start("1g", 1);
        try (Worker two = start("1g", 2)) {
            worker.call("load", fields("model", model), NONE);
            two.call("load", fields("model", model), NONE);
            float[] start = worker.call("params", fields(), NONE).payload();
            WorkerAnswer volunteer = worker.call("train", task, start);
            assertEquals(1, (int) volunteer.number("threads"));
            assertTrue(String.valueOf(volunteer.fields().get("runtime")).contains("CpuBackend"), volunteer.fields().toString());

            Map<String, Object> replay = new LinkedHashMap<>(task);
            replay.put("threads", 1);
            WorkerAnswer replayed = two.call("train", replay, start);
            assertEquals(1, (int) replayed.number("threads"));
            assertTrue(Arrays.equals(volunteer.payload(), replayed.payload()), "the replay with 1 thread is the volunteer's update, bit for bit");

            WorkerAnswer own = two.call("train", task, start);
            assertEquals(2, (int) own.number("threads"), "back to its own thread count");
            // (whether 2 threads differ from 1 depends on the model and the machine: the bench's MLP did, this one may not)
        }
    }

    private static final float[] NONE = new float[0];

    /** Fields as name, value pairs; paths become strings. */
    private static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1] instanceof Path p ? p.toString() : pairs[i + 1]);
        }
        return map;
    }

    /**
     * The worker keeps a loaded model for the next request only when the file and the compile
     * settings are the same: two projects may share a model file but name different optimizers.
     * One plain SGD step from the same start moves 5 times as far at 5 times the learning rate.
     */
    @Test
    void aModelLoadedWithOtherCompileSettingsIsLoadedAgain() throws Exception {
        Path model = digitsModel();
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        Worker w = start("1g");
        Map<String, Object> step = fields("x", x, "y", y, "from", 0, "to", 64, "epochs", 1, "batch", 64, "seed", 1);
        w.call("load", fields("model", model, "optimizer", "sgd", "lr", 0.01), NONE);
        float[] start = w.call("params", fields(), NONE).payload();
        float[] slow = w.call("train", step, start).payload();
        w.call("load", fields("model", model, "optimizer", "sgd", "lr", 0.05), NONE);
        float[] fast = w.call("train", step, start).payload();
        double ratio = norm(fast) / norm(slow);
        assertEquals(5.0, ratio, 1e-3, "the second load's learning rate is the one that trains");
    }

    /** A second project of the same model file must start from the file's weights, not from what the first one set. */
    @Test
    void loadingTheSameFileAgainGivesTheFilesParametersBack() throws Exception {
        Path model = digitsModel();
        Worker w = start("1g");
        w.call("load", fields("model", model), NONE);
        float[] fromFile = w.call("params", fields(), NONE).payload();
        float[] changed = fromFile.clone();
        java.util.Arrays.fill(changed, 0.5f);
        w.call("set", fields(), changed);
        assertArrayEquals(changed, w.call("params", fields(), NONE).payload(), "set took effect");
        w.call("load", fields("model", model), NONE);
        assertArrayEquals(fromFile, w.call("params", fields(), NONE).payload());
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    /** A 1 GB worker with the digits MLP loaded. */
    private Worker workerWithDigitsModel() throws Exception {
        Worker w = start("1g");
        w.call("load", fields("model", digitsModel()), NONE);
        return w;
    }

    private Path digitsModel() throws Exception {
        Path model = dir.resolve("mlp.h5");
        new KerasMlp(64, new int[] { 64, 32 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.001).write(model, 1);
        return model;
    }

    @Test
    void aTrainTaskReturnsTheDeltaAndApplyingItGivesTheTrainedParameters() throws Exception {
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        Worker w = start("1g");
        assertTrue(((String) w.call("hello", fields(), NONE).fields().get("backend")).contains("Cpu"));
        WorkerAnswer loaded = w.call("load", fields("model", digitsModel()), NONE);
        int params = (int) loaded.number("params");
        assertEquals(64 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10, params);
        float[] before = w.call("params", fields(), NONE).payload();

        WorkerAnswer result = w.call("train", fields("x", x, "y", y, "from", 0, "to", 700, "epochs", 2, "batch", 32, "seed", 5), before);
        float[] delta = result.payload();
        assertEquals(params, delta.length);
        assertEquals(700, (int) result.number("samples"));
        assertEquals(2 * 22, (int) result.number("steps"));
        assertTrue(Double.isFinite(result.number("loss")));
        double norm = 0;
        for (float d : delta) {
            norm += d * d;
        }
        assertTrue(norm > 0, "training changed the parameters");

        // The same task from the same parameters gives the same delta: results are reproducible.
        WorkerAnswer again = w.call("train", fields("x", x, "y", y, "from", 0, "to", 700, "epochs", 2, "batch", 32, "seed", 5), before);
        assertTrue(Arrays.equals(delta, again.payload()), "same seed, same delta");

        // apply: before + delta
        w.call("train", fields("x", x, "y", y, "from", 0, "to", 10, "epochs", 1, "batch", 10, "seed", 1), before); // move away
        float[] moved = w.call("params", fields(), NONE).payload();
        float[] expected = new float[params];
        for (int i = 0; i < params; i++) {
            expected[i] = moved[i] + delta[i];
        }
        w.call("apply", fields(), delta);
        assertTrue(Arrays.equals(expected, w.call("params", fields(), NONE).payload()));
    }

    @Test
    void checkListsEveryProblemOfAProjectAndCutWritesShardsTheWorkerCanTrainOn() throws Exception {
        Worker w = start("1g");
        Path model = digitsModel();
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        assertEquals(List.of(), w.call("check", fields("model", model, "x", x, "y", y), NONE).fields().get("problems"));

        Path shortLabels = dir.resolve("labels.npy");
        NpyWriter.writeInt64(shortLabels, new long[] { 3 }, new long[] { 0, 11, 2 });
        Path nan = dir.resolve("nan.npy");
        float[] values = new float[3 * 64];
        values[70] = Float.NaN;
        NpyWriter.writeFloat32(nan, new long[] { 3, 64 }, values);
        Path notAModel = dir.resolve("notes.h5");
        java.nio.file.Files.writeString(notAModel, "hello");
        @SuppressWarnings("unchecked")
        List<String> problems = (List<String>) w.call("check", fields("model", model, "x", nan, "y", shortLabels), NONE).fields().get("problems");
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("sample 1 contains NaN"), problems.get(0));
        assertTrue(problems.get(1).contains("label 1 is 11 but the model has 10 classes"), problems.get(1));
        @SuppressWarnings("unchecked")
        List<String> more = (List<String>) w.call("check", fields("model", notAModel, "x", x, "y", shortLabels), NONE).fields().get("problems");
        assertTrue(more.get(0).contains("not an HDF5 file"), more.toString());
        assertTrue(more.get(1).contains("1437 samples but labels.npy has 3 labels"), more.toString());

        WorkerAnswer cut = w.call("cut", fields("x", x, "y", y, "shards", 4, "validationRate", 0.2, "dir", dir.resolve("shards")), NONE);
        assertEquals(List.of(288.0, 288.0, 287.0, 287.0), cut.fields().get("rows"));
        assertEquals(287, (int) cut.number("validationRows"));
        w.call("load", fields("model", model), NONE);
        float[] start = w.call("params", fields(), NONE).payload();
        WorkerAnswer trained = w.call("train", fields("x", dir.resolve("shards/x-2.npy"), "y", dir.resolve("shards/y-2.npy"),
                "epochs", 1, "batch", 32, "seed", 3), start);
        assertEquals(287, (int) trained.number("samples"));
        w.call("set", fields(), start);
        assertTrue(Arrays.equals(start, w.call("params", fields(), NONE).payload()), "set puts the given parameters in place");
        WorkerAnswer validation = w.call("evaluate", fields("x", dir.resolve("shards/x-val.npy"), "y", dir.resolve("shards/y-val.npy")), NONE);
        assertEquals(287, (int) validation.number("samples"));
    }

    @Test
    void inspectSaysWhetherAModelCanBeTrainedHereAndWhy() throws Exception {
        Worker w = start("512m");
        WorkerAnswer good = w.call("inspect", fields("model", digitsModel()), NONE);
        assertEquals(Boolean.TRUE, good.fields().get("trainable"));
        assertEquals("sparse_categorical_crossentropy", good.fields().get("loss"));
        assertEquals(10, (int) good.number("outputs"));
        assertEquals(List.of(64.0), good.fields().get("inputShape"));
        Path notAModel = dir.resolve("notes.h5");
        java.nio.file.Files.writeString(notAModel, "hello");
        WorkerAnswer bad = w.call("inspect", fields("model", notAModel), NONE);
        assertEquals(Boolean.FALSE, bad.fields().get("trainable"));
        assertTrue(String.valueOf(bad.fields().get("reason")).contains("not an HDF5 file"), bad.fields().toString());
    }

    /** SIGSTOP halts every thread of a training worker; SIGCONT lets the same task finish. */
    @Test
    void aSuspendedWorkerStopsAndResumesItsTask() throws Exception {
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        Worker w = workerWithDigitsModel();
        CompletableFuture<WorkerAnswer> task = trainInBackground(w, fields("x", x, "y", y, "epochs", 20, "batch", 32, "seed", 1));
        w.suspend();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!"T".equals(state(w.pid())) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals("T", state(w.pid()), "stopped within a second of SIGSTOP");
        assertFalse(task.isDone(), "a stopped worker does not answer");
        w.resume();
        WorkerAnswer done = task.get(120, TimeUnit.SECONDS);
        assertEquals(1437, (int) done.number("samples"));
    }

    /**
     * A native crash (here a SIGSEGV sent to the worker, which the JVM treats as a crash in native
     * code, as it would one inside ND4J) is a failed call saying so, with the crash log kept.
     */
    @Test
    void aNativeCrashIsAFailedTaskSayingSo() throws Exception {
        Worker w = start("512m");
        w.call("hello", fields(), NONE);
        Process segv = new ProcessBuilder("kill", "-SEGV", Long.toString(w.pid())).start();
        assertEquals(0, segv.waitFor());
        // The JVM writes its crash log, then aborts; the next call finds it gone.
        ProcessHandle.of(w.pid()).ifPresent(handle -> handle.onExit().join());
        WorkerDiedException e = assertThrows(WorkerDiedException.class, () -> w.call("hello", fields(), NONE));
        assertTrue(e.getMessage().contains("crashed in native code"), e.getMessage());
    }

    private static CompletableFuture<WorkerAnswer> trainInBackground(Worker w, Map<String, Object> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return w.call("train", task, NONE);
            } catch (WorkerException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** The process state letter from /proc (T = stopped). */
    private static String state(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void aBadRequestIsAnErrorAnswerAndTheWorkerStaysUp() throws Exception {
        Worker w = start("512m");
        WorkerException e = assertThrows(WorkerException.class,
                () -> w.call("train", fields("x", "a", "y", "b", "epochs", 1, "batch", 1, "seed", 1), NONE));
        assertTrue(e.getMessage().contains("load"), e.getMessage());
        WorkerException missing = assertThrows(WorkerException.class, () -> w.call("load", fields("model", dir.resolve("missing.h5")), NONE));
        assertTrue(missing.getMessage().contains("missing.h5"), missing.getMessage());
        assertFalse(missing instanceof WorkerDiedException);
        assertTrue(w.isAlive());
        w.call("hello", fields(), NONE);
    }

    @Test
    void aWorkerKilledMidTaskIsAFailedTaskWithItsReason() throws Exception {
        Path x = SharedData.file("digits/train_x.npy");
        Path y = SharedData.file("digits/train_y.npy");
        Worker w = workerWithDigitsModel();
        CompletableFuture<WorkerAnswer> task = trainInBackground(w, fields("x", x, "y", y, "epochs", 10_000, "batch", 8, "seed", 1));
        // No timing needed: 10,000 epochs cannot finish before the kill, whenever it lands.
        w.kill();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> task.get(60, TimeUnit.SECONDS));
        Throwable reason = failed.getCause().getCause();
        assertTrue(reason instanceof WorkerDiedException, String.valueOf(reason));
        assertTrue(reason.getMessage().contains("killed by signal 9") && reason.getMessage().contains("'train'"), reason.getMessage());
    }

    @Test
    void aWorkerOutOfMemoryIsAFailedTaskSayingSo() throws Exception {
        Path model = digitsModel();
        // A shard bigger than the worker's heap: 40M floats = 160 MB against -Xmx128m.
        Path bigX = dir.resolve("big_x.npy");
        Path bigY = dir.resolve("big_y.npy");
        int rows = 625_000;
        NpyWriter.writeFloat32(bigX, new long[] { rows, 64 }, new float[rows * 64]);
        NpyWriter.writeInt64(bigY, new long[] { rows }, new long[rows]);
        Worker w = start("128m");
        w.call("load", fields("model", model), NONE);
        WorkerDiedException e = assertThrows(WorkerDiedException.class,
                () -> w.call("train", fields("x", bigX, "y", bigY, "epochs", 1, "batch", 32, "seed", 1), NONE));
        assertTrue(e.getMessage().contains("ran out of memory") && e.getMessage().contains("-Xmx128m"), e.getMessage());
        assertFalse(w.isAlive());
    }
}
